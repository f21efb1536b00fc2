/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// A record as it was (GET /records/as-of): the form to choose the time (and a second one to
// compare), the "history incomplete" notice, the row as of that time with what each column is,
// the difference between the two times, and the record's events around the point.
import type { Principal } from '../src/accounts/roles.ts';
import type { AsOfResult, RecordState, TimelineEntry } from '../src/query/record/as-of.ts';
import type { ColumnInfo } from '../src/query/record/columns.ts';
import { isOversized } from '../src/generator/markers.ts';
import type { ChainEvent } from '../src/query/record/events.ts';
import { ActionBadge } from './events.tsx';
import { UtcTime, Value } from './event.tsx';
import { Layout } from './layout.tsx';

export interface AsOfForm {
  target_type: string;
  target_id: string;
  at: string;
  compare: string;
}

export interface AsOfPageProps {
  form: AsOfForm;
  result?: AsOfResult;
  /** 400: what was wrong with the request; 404: no history. */
  error?: { status: 400 | 404 | 503; message: string };
  principal: Principal;
  csrfToken: string;
}

const history = (type: string, id: string) => `/events?${new URLSearchParams({ target_type: type, target_id: id })}`;

function EventLink({ e }: { e: Pick<ChainEvent, 'id'> }) {
  return <a href={`/events/${e.id}`}>event {e.id}</a>;
}

function Form({ form }: { form: AsOfForm }) {
  return (
    <form class="filters as-of-form" id="as-of-form" method="get" action="/records/as-of">
      <input type="hidden" name="target_type" value={form.target_type} />
      <input type="hidden" name="target_id" value={form.target_id} />
      <div class="row">
        <label class="field"><span>As of</span>
          <input type="text" name="at" id="as-of-at" value={form.at} placeholder="now" />
          <small>a time (UTC unless it says) or a date: the end of that day</small>
        </label>
        <label class="field"><span>Compare with</span>
          <input type="text" name="compare" id="as-of-compare" value={form.compare} placeholder="e.g. 2026-11-24T09:30:00Z" />
          <small>a second time: the difference between the two</small>
        </label>
        <button type="submit" id="as-of-submit">Show</button>
      </div>
    </form>
  );
}

function Incomplete({ result }: { result: AsOfResult }) {
  if (result.complete) {
    return <p class="as-of-complete muted" id="history-complete">Complete history: from the record's insert ({result.first_event && <EventLink e={result.first_event} />}) on.</p>;
  }
  return (
    <div class="as-of-incomplete" id="history-incomplete" role="status">
      <strong>History incomplete.</strong>
      <ul>{result.incomplete.map((i) => <li data-kind={i.kind}>{i.message}{i.event_id && <> (<a href={`/events/${i.event_id}`}>event {i.event_id}</a>)</>}.</li>)}</ul>
    </div>
  );
}

function ColumnNotes({ c }: { c: ColumnInfo }) {
  return (
    <>
      {c.dropped_since && <span class="col-note dropped" title="in this row image, but the table has no such column now">no longer in the table</span>}
      {c.not_in_image && !c.excluded && <span class="col-note added" title="the table has this column now; the recorded row does not">not in the recorded row (added since?)</span>}
      {c.excluded && <span class="col-note excluded" title="left out of every event by the table's options">excluded: never recorded</span>}
      {c.ignored && <span class="col-note ignored" title="a change to this column alone makes no event">ignored: may be newer than shown</span>}
    </>
  );
}

/** As the event page shows a value; an oversized value an update left alone has no md5 of its own. */
function Cell({ value, absent }: { value: unknown; absent: boolean }) {
  if (isOversized(value) && value.unchanged) {
    return <span class="oversized" title="unchanged by this event: its md5 is in the event that wrote it">oversized value: {value.bytes.toLocaleString('en-US')} bytes, unchanged</span>;
  }
  return <Value value={value} absent={absent} />;
}

function Row({ row, columns }: { row: Record<string, unknown>; columns: ColumnInfo[] }) {
  return (
    <table class="diff as-of-row">
      <tbody>
        {columns.map((c) => (
          <tr class={c.dropped_since ? 'dropped' : c.value === 'absent' ? 'absent' : undefined} data-column={c.name}>
            <th scope="row">{c.name}</th>
            <td><Cell value={row[c.name]} absent={c.value === 'absent'} /> <ColumnNotes c={c} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Removed({ s }: { s: RecordState }) {
  const by = s.removed_by!;
  return by.action === 'truncate'
    ? <>Removed when the table was truncated at <UtcTime iso={by.occurred_at} /> by {by.actor_display} (<EventLink e={by} />).</>
    : <>Deleted at <UtcTime iso={by.occurred_at} /> by {by.actor_display} (<EventLink e={by} />).</>;
}

function State({ s, result, id, title }: { s: RecordState; result: AsOfResult; id: string; title: string }) {
  const renamed = s.target_id !== null && s.target_id !== result.target_id;
  return (
    <section class="diff-block as-of-state" id={id} data-exists={String(s.exists)}>
      <div class="block-head">
        <h2>{title} <UtcTime iso={s.as_of} precise />{s.after_event && <span class="muted"> just after event {s.after_event}</span>}</h2>
        {s.basis && <p class="muted">row as recorded by <EventLink e={s.basis} /> ({s.basis.action}, <UtcTime iso={s.basis.occurred_at} />)</p>}
      </div>
      {renamed && <p class="as-of-key" id={`${id}-key`}>At that time its key was <code>#{s.target_id}</code>.</p>}
      {s.exists === true && <Row row={s.record!} columns={s.columns} />}
      {s.exists === false && s.removed_by && (
        <>
          <p class="as-of-gone" id={`${id}-gone`}><Removed s={s} /> The row as last recorded:</p>
          {s.last_record && <Row row={s.last_record} columns={s.columns} />}
        </>
      )}
      {s.exists === false && !s.removed_by && (
        <p class="as-of-gone" id={`${id}-gone`}>Did not exist yet: it was created at <UtcTime iso={result.first_event!.occurred_at} /> (<EventLink e={result.first_event!} />).</p>
      )}
      {s.exists === null && (
        <p class="as-of-unknown" id={`${id}-unknown`}>Unknown: the record's history does not reach back this far (its oldest recorded event is <EventLink e={result.first_event!} />, <UtcTime iso={result.first_event!.occurred_at} />).</p>
      )}
    </section>
  );
}

function Diff({ result }: { result: AsOfResult }) {
  const diff = result.diff!;
  const changed = diff.fields.filter((f) => f.changed || f.events.length > 0);
  return (
    <section class="diff-block as-of-diff" id="as-of-diff">
      <div class="block-head">
        <h2>Difference <span class="muted">{changed.length} of {diff.fields.length} fields changed between <UtcTime iso={diff.from} /> and <UtcTime iso={diff.to} /></span></h2>
      </div>
      {diff.events_capped && <p class="as-of-capped" id="as-of-diff-capped">More than {diff.events.length} events lie between the two times: the values are exact, but only the first {diff.events.length} events are attributed to fields.</p>}
      <table class="diff">
        <thead><tr><th scope="col">Field</th><th scope="col">Earlier</th><th scope="col">Later</th><th scope="col">Changed by</th></tr></thead>
        <tbody>
          {diff.fields.map((f) => (
            <tr class={f.changed ? 'changed' : 'same'} data-field={f.field}>
              <th scope="row">{f.field}</th>
              <td class="before"><Cell value={f.before} absent={f.before === undefined} /></td>
              <td class="after"><Cell value={f.after} absent={f.after === undefined} /></td>
              <td class="by">{f.events.length === 0 ? <span class="muted">—</span> : f.events.map((id) => <a class="event-ref" href={`/events/${id}`}>{id}</a>)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function TimelineItem({ e, basis }: { e: TimelineEntry; basis?: string }) {
  return (
    <li class={`as-of-event kind-${e.kind}${e.id === basis ? ' basis' : ''}`} data-event={e.id}>
      <UtcTime iso={e.occurred_at} />
      {' '}{e.verb && <span class="verb">{e.verb}</span>} <ActionBadge action={e.action} />
      {' '}<span class="tid">#{e.target_id ?? 'table'}</span>
      {e.old_target_id && <span class="muted"> (was #{e.old_target_id})</span>}
      {e.changed_fields && e.changed_fields.length > 0 && <span class="muted"> · changed {e.changed_fields.join(', ')}</span>}
      {' '}<span class="muted">by {e.actor_display}</span>
      {' '}<a href={`/events/${e.id}`}>event {e.id}</a>
    </li>
  );
}

function Timeline({ result }: { result: AsOfResult }) {
  const { events, earlier, later } = result.timeline;
  const within = events.filter((e) => e.within);
  const after = events.filter((e) => !e.within);
  const all = history(result.target_type, result.target_id);
  return (
    <section class="diff-block as-of-timeline" id="as-of-timeline">
      <div class="block-head">
        <h2>Timeline <span class="muted">{result.history.capped ? `${result.history.count.toLocaleString('en-US')}+` : result.history.count.toLocaleString('en-US')} row changes{result.keys.length > 1 ? ` under keys ${result.keys.map((k) => `#${k}`).join(' → ')}` : ''}</span></h2>
        <p><a href={all} id="as-of-history-link">Full history</a></p>
      </div>
      <ol class="as-of-events">
        {earlier && <li class="muted more">… earlier events: <a href={all}>full history</a></li>}
        {within.map((e) => <TimelineItem e={e} basis={result.state.basis?.id} />)}
        <li class="as-of-point" id="as-of-point">▲ as of <UtcTime iso={result.state.as_of} precise /></li>
        {after.map((e) => <TimelineItem e={e} />)}
        {later && <li class="muted more">… later events: <a href={all}>full history</a></li>}
      </ol>
      {result.entity && <p class="muted as-of-entity">Includes the application's own events about {result.entity} #{result.target_id}, which do not change the row.</p>}
    </section>
  );
}

export function AsOfPage({ form, result, error, principal, csrfToken }: AsOfPageProps) {
  const title = result
    ? `${result.label ?? `${result.target_type} #${result.target_id}`} as of ${result.state.as_of.slice(0, 19).replace('T', ' ')}`
    : 'Record as of';
  return (
    <Layout title={title} principal={principal} csrfToken={csrfToken} section="events">
      <p class="crumbs">
        <a href="/events">← Events</a>
        {form.target_type && form.target_id && <> · <a href={history(form.target_type, form.target_id)} id="record-history-link">History of this record</a></>}
      </p>
      <div class="page-head as-of-head">
        <h1>
          {result?.label && <span class="label" id="as-of-label">{result.label}</span>}
          {' '}<span class="ttype">{result?.target_type ?? form.target_type}</span><span class="tid">#{form.target_id}</span>
          {' '}<span class="muted">as it was</span>
        </h1>
      </div>
      <Form form={form} />
      {error && <div class={error.status === 404 ? 'as-of-none empty' : 'error-box'} id={error.status === 404 ? 'no-history' : 'as-of-error'} role="alert">
        <strong>{error.status === 404 ? 'No history.' : error.status === 503 ? 'Took too long.' : 'Bad request.'}</strong> {error.message}.
      </div>}
      {result && (
        <>
          <Incomplete result={result} />
          <State s={result.state} result={result} id="as-of-state" title="As of" />
          {result.compare && <State s={result.compare} result={result} id="as-of-compare-state" title="Compared with" />}
          {result.diff && <Diff result={result} />}
          <Timeline result={result} />
        </>
      )}
    </Layout>
  );
}
