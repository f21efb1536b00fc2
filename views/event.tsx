/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// One event: what happened (diff for updates, the full row for inserts and deletes), every field,
// times in UTC with the viewer's local time beside them, and links to the record's history and to
// the other events of the same transaction.
import type { Child } from 'hono/jsx';
import type { EventJson } from '../src/query/columns.ts';
import { EVENT_FIELDS } from '../src/query/columns.ts';
import { can, type Principal } from '../src/accounts/roles.ts';
import { stringifyExact } from '../src/query/exact-json.ts';
import type { TargetInfo } from '../src/query/targets.ts';
import { Actor } from './actor.tsx';
import { Target } from './target.tsx';
import { ActionBadge } from './events.tsx';
import { display, isOversized, REDACTED, utc } from './format.ts';
import { Layout } from './layout.tsx';
import { isRowChange } from '../src/generator/spec.ts';

export function Value({ value, absent }: { value: unknown; absent?: boolean }) {
  if (absent) return <span class="muted">(absent)</span>;
  if (value === null || value === undefined) return <span class="null">null</span>;
  if (value === REDACTED) return <span class="redacted" title="this column is recorded redacted">redacted</span>;
  if (isOversized(value)) {
    const title = value.md5 ? `md5 ${value.md5}` : 'left alone by this update: its md5 is in the event that wrote it';
    return <span class="oversized" title={title}>oversized value: {value.bytes.toLocaleString('en-US')} bytes{value.unchanged ? ' (unchanged)' : ''}</span>;
  }
  return <code class="v">{display(value)}</code>;
}

export function UtcTime({ iso, precise }: { iso: string; precise?: boolean }) {
  return (
    <span class="when">
      <time datetime={iso}>{utc(iso, precise)}</time>
      <span class="local" data-local={iso}></span>
    </span>
  );
}

type Row = Record<string, unknown>;

/**
 * Field-level diff of an update: changed fields (default) or every field. `toggle(fields)` is this
 * page's URL showing all fields ('all') or the changed ones (undefined).
 */
function Diff({ e, all, toggle }: { e: EventJson; all: boolean; toggle: (fields?: string) => string }) {
  // An update stores the previous values of the changed columns only: before = new_data || old_data.
  const after: Row = e.new_data ?? {};
  const before: Row = { ...after, ...(e.old_data ?? {}) };
  const changed = new Set(e.changed_fields ?? []);
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const shown = all ? fields : fields.filter((f) => changed.has(f));
  return (
    <div class="diff-block">
      <div class="block-head">
        <h2>Changes <span class="muted">{changed.size} of {fields.length} fields changed</span></h2>
        <p class="toggle">
          {all
            ? <a href={toggle()}>Show changed fields only</a>
            : <a href={toggle('all')}>Show all {fields.length} fields</a>}
        </p>
      </div>
      <table class="diff">
        <thead><tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
        <tbody>
          {shown.map((f) => (
            <tr class={changed.has(f) ? 'changed' : 'same'}>
              <th scope="row">{f}</th>
              <td class="before"><Value value={before[f]} absent={!(f in before)} /></td>
              <td class="after"><Value value={after[f]} absent={!(f in after)} /></td>
            </tr>
          ))}
          {shown.length === 0 && <tr><td colspan={3} class="muted">No field changed (an update recorded with --log-unchanged).</td></tr>}
        </tbody>
      </table>
    </div>
  );
}

function FullRow({ title, row, kind }: { title: string; row: Row; kind: 'new' | 'old' }) {
  return (
    <div class="diff-block">
      <div class="block-head"><h2>{title}</h2></div>
      <table class={`diff row-${kind}`}>
        <tbody>
          {Object.entries(row).map(([k, v]) => (
            <tr><th scope="row">{k}</th><td><Value value={v} /></td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FieldValue({ e, field }: { e: EventJson; field: (typeof EVENT_FIELDS)[number] }) {
  const value = e[field];
  if (field === 'occurred_at') return <UtcTime iso={e.occurred_at} precise />;
  if (value === null) return <span class="null">null</span>;
  if (typeof value === 'object') return <pre class="json">{stringifyExact(value, 2)}</pre>;
  return <code class="v">{String(value)}</code>;
}

/**
 * Where "← Events" leads: the list (filters, page) the event was opened from, passed as `back`.
 * Only a console list path is accepted, so the link can never lead off the console.
 */
export function eventBack(back: string | undefined): string | null {
  if (back === undefined) return '/events';
  return back.length <= 4096 && /^\/(events|sign-ins)(\?[^#\s]*)?$/.test(back) ? back : null;
}

/** Label, type name and verb, where the table declares them; the stored type and id beside them. */
function Naming({ e, target }: { e: EventJson; target?: TargetInfo }) {
  if (!e.target_label && !target?.typeName && !e.verb) return null;
  return (
    <dl class="naming" id="event-naming">
      {e.target_label && <><dt>Label</dt><dd data-label="">{e.target_label}</dd></>}
      {target?.typeName && <><dt>Type</dt><dd data-type-name="">{target.typeName}</dd></>}
      <dt>Target</dt><dd><code>{e.target_type}</code>{e.target_id !== null && <code class="tid">#{e.target_id}</code>}</dd>
      {e.verb && <><dt>Verb</dt><dd data-verb={e.verb}>{e.verb} <span class="muted">(row action {e.action})</span></dd></>}
      {typeof e.metadata?.label_error === 'string' && <><dt>Label error</dt><dd class="muted">the label could not be computed: {e.metadata.label_error}</dd></>}
    </dl>
  );
}

export function EventPage({ e, all, back, principal, csrfToken, seal, target }: { e: EventJson; all: boolean; back: string; principal: Principal; csrfToken: string; seal?: Child; target?: TargetInfo }) {
  const here = (fields?: string) => {
    const q = new URLSearchParams();
    if (fields) q.set('fields', fields);
    if (back !== '/events') q.set('back', back);
    const s = q.toString();
    return `/events/${e.id}${s ? `?${s}` : ''}`;
  };
  // Without a target id there is no one record whose history could be shown.
  const history = e.target_id !== null ? `/events?${new URLSearchParams({ target_type: e.target_type, target_id: e.target_id })}` : undefined;
  // The record as it was just after this event (src/server/console/as-of-routes.tsx).
  const asOf = e.target_id !== null ? `/records/as-of?${new URLSearchParams({ target_type: e.target_type, target_id: e.target_id, at: e.occurred_at, event: String(e.id) })}` : undefined;
  return (
    <Layout title={`Event ${e.id}`} principal={principal} csrfToken={csrfToken} section="events">
      <p class="crumbs"><a href={back} id="back-to-events">← Events</a></p>
      <div class="event-head">
        <h1><ActionBadge action={e.action} verb={e.verb} /> <Target e={e} info={target} /></h1>
        <Naming e={e} target={target} />
        <p class="byline">
          by <Actor e={e} /> {e.ip && <>from <code>{e.ip}</code></>} · <UtcTime iso={e.occurred_at} />
        </p>
        {seal}
        <p class="links">
          {history
            ? <a class="button" id="history-link" href={history}>History of this record <span class="muted">(newest first)</span></a>
            : <span class="muted" id="no-history">No record history: this event has no target id, so it is not about one record.</span>}
          {asOf && <a class="button" id="as-of-link" href={asOf}>Record as of this event</a>}
          <a class="button" id="tx-link" href={`/events?tx_id=${e.tx_id}`}>Same transaction <span class="muted">(tx {e.tx_id})</span></a>
          {isRowChange(e.action) && can(principal, 'revert') && <a class="button ghost" id="revert-link" href={`/events/${e.id}/revert`}>Revert…</a>}
          {e.actor_id && <a class="button ghost" href={`/events?${new URLSearchParams({ actor_type: e.actor_type, actor_id: e.actor_id })}`}>Everything by this actor</a>}
        </p>
      </div>
      {e.action === 'update' && <Diff e={e} all={all} toggle={here} />}
      {e.action === 'insert' && e.new_data && <FullRow title="Inserted row" row={e.new_data} kind="new" />}
      {e.action === 'delete' && e.old_data && <FullRow title="Deleted row" row={e.old_data} kind="old" />}
      {e.metadata && Object.keys(e.metadata).length > 0 && <FullRow title="Metadata" row={e.metadata} kind="new" />}
      <details class="all-fields" open={e.action !== 'update' && e.action !== 'insert' && e.action !== 'delete'}>
        <summary>Every field of the event record</summary>
        <table class="fields">
          <tbody>
            {EVENT_FIELDS.map((f) => (
              <tr><th scope="row">{f}</th><td><FieldValue e={e} field={f} /></td></tr>
            ))}
          </tbody>
        </table>
      </details>
    </Layout>
  );
}
