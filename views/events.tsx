/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The event list: the filter form, and the results fragment (count, rows, pager) that htmx swaps.
// The full page renders the same Results component that an htmx request gets on its own.
import type { Child } from 'hono/jsx';
import type { EventJson } from '../src/query/columns.ts';
import type { FilterError } from '../src/query/filter.ts';
import type { Count, Page } from '../src/query/list.ts';
import type { Principal } from '../src/accounts/roles.ts';
import { ACTIONS } from '../src/generator/spec.ts';
import { ACTOR_TYPE_LABELS, ACTOR_TYPES } from '../src/audit/context.ts';
import { display, query, thousands, utc } from './format.ts';
import { Layout } from './layout.tsx';
import { EmptyState } from './empty-state.tsx';
import { SignInCells, SignInFilters, SignInHeaders } from './sign-in-log.tsx';
import { Actor } from './actor.tsx';
import { Target } from './target.tsx';

export type ListKind = 'events' | 'sign-ins';

export interface ListResult {
  page: Page;
  count: Count;
  /** A warning shown under the count (free text without the search index over a wide window). */
  hint?: string;
}

export interface ListProps {
  kind: ListKind;
  basePath: string;
  /** The request's parameters as given, echoed into the form and into every link. */
  params: URLSearchParams;
  /** The actions asked for, as the filter parsed them (as typed when the filter was refused); no preset. */
  actions: string[];
  live: boolean;
  canExport: boolean;
  /** `timeout`: the query timeout cut the search; the message says how to narrow it. */
  result: ListResult | { error: FilterError } | { timeout: string };
  /** Audited tables, offered as target types. */
  targetTypes?: string[];
  /** Activity over the filtered window (histogram, top actors/actions/targets), above the count. */
  activity?: Child;
}

const WINDOWS = [['', 'Any time'], ['1h', 'Last hour'], ['24h', '24 h'], ['7d', '7 days'], ['30d', '30 days']] as const;
const LIVE_SECONDS = 5;

function actionClass(action: string): string {
  if ((ACTIONS as readonly string[]).includes(action)) return `act act-${action}`;
  if (action === 'auth.sign_in_failed') return 'act act-failed';
  if (action.startsWith('auth.')) return 'act act-auth';
  return 'act act-app';
}

/** The verb first when the update has one ("send"), with the row action beside it, small; else the action. */
export function ActionBadge({ action, verb }: { action: string; verb?: string | null }) {
  if (!verb) return <span class={actionClass(action)}>{action}</span>;
  return (
    <span class="verb-badge" data-verb={verb}>
      <span class={`${actionClass(action)} act-verb`}>{verb}</span><span class="act-row" title={`row action: ${action}`}>{action}</span>
    </span>
  );
}

function summary(e: EventJson): string {
  if (e.action === 'update' && e.changed_fields?.length) return e.changed_fields.join(', ');
  if (e.action.startsWith('auth.')) return e.user_agent ?? '';
  if (e.metadata && e.old_data === null && e.new_data === null) {
    const text = Object.entries(e.metadata).map(([k, v]) => `${k}: ${display(v)}`).join(', ');
    return text.length > 90 ? `${text.slice(0, 89)}…` : text;
  }
  return '';
}

/** The link to one event, carrying the list it was opened from so "← Events" returns to it (eventBack). */
function eventHref(id: number | string, back: string): string {
  return back === '/events' ? `/events/${id}` : `/events/${id}?${new URLSearchParams({ back })}`;
}

function Rows({ events, kind, back, targets }: { events: EventJson[]; kind: ListKind; back: string; targets: NonNullable<Page['targets']> }) {
  return (
    <table class="events list">
      <thead>
        <tr>
          <th scope="col" class="c-time">Time (UTC)</th>
          {kind === 'events' ? <th scope="col" class="c-action">Action</th> : <SignInHeaders />}
          {kind === 'events' && <th scope="col" class="c-target">Target</th>}
          <th scope="col" class="c-actor">Actor</th>
          <th scope="col" class="c-ip">IP</th>
          <th scope="col" class="c-details">{kind === 'events' ? 'Changed / details' : 'User agent'}</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr>
            <td class="time"><a class="rowlink" href={eventHref(e.id, back)}><time datetime={e.occurred_at}>{utc(e.occurred_at).replace(' UTC', '')}</time></a></td>
            {kind === 'events' ? <td><ActionBadge action={e.action} verb={e.verb} /></td> : <SignInCells e={e} />}
            {kind === 'events' && <td class="target"><Target e={e} info={targets[e.target_type]} /></td>}
            <td><Actor e={e} /></td>
            <td class="ip">{e.ip ?? ''}</td>
            <td class="details">{summary(e)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The fragment htmx swaps: count, export links, rows or empty state or the error, pager. */
export function Results(props: ListProps) {
  const { basePath, params, live, kind } = props;
  const firstPage = query(params, { cursor: undefined });
  const liveAttrs = live && 'page' in props.result
    ? { 'hx-get': `${basePath}${query(params, { cursor: undefined, live: '1' })}`, 'hx-trigger': `every ${LIVE_SECONDS}s`, 'hx-swap': 'outerHTML', 'hx-target': 'this' }
    : {};
  if ('error' in props.result) {
    const { error } = props.result;
    return (
      <section id="results" class="results">
        <div class="error-box" role="alert" data-field={error.field}>
          <strong>Cannot show these events.</strong> {error.message}
          <p class="muted">Fix the <em>{error.field}</em> filter, or <a href={basePath}>clear all filters</a>.</p>
        </div>
      </section>
    );
  }
  if ('timeout' in props.result) {
    return (
      <section id="results" class="results">
        <div class="error-box" role="alert" data-timeout="">
          <strong>Cannot show these events.</strong> {props.result.timeout}
        </div>
      </section>
    );
  }
  const { page, count, hint } = props.result;
  // The sign-in log's preset (auth.* unless an action is given) is not in its URL; the export needs it.
  const preset = kind === 'sign-ins' && props.actions.length === 0 ? { action: 'auth.*' } : {};
  const exportQuery = query(params, { cursor: undefined, live: undefined, ...preset });
  return (
    <section id="results" class="results" aria-live="polite" {...liveAttrs}>
      {props.activity}
      <div class="summary">
        <p class="count">
          <strong data-count={count.capped ? `${count.count}+` : String(count.count)}>{thousands(count.count)}{count.capped ? '+' : ''}</strong>
          {count.count === 1 && !count.capped ? ' event matches' : ' events match'}
          <span class="muted"> · newest first{params.get('cursor') ? ' · older page' : ''}</span>
          {live && <span class="live-dot" title={`refreshes every ${LIVE_SECONDS} s`}>live</span>}
        </p>
        {props.canExport && (
          <p class="exports">
            <a class="button" href={`/export.csv${exportQuery}`} download>Export CSV</a>
            <a class="button" href={`/export.jsonl${exportQuery}`} download>Export JSON Lines</a>
          </p>
        )}
      </div>
      {hint && <p class="hint muted" data-hint="">{hint}</p>}
      {page.events.length === 0 ? (
        <EmptyState kind={kind} basePath={basePath} params={params} />
      ) : (
        <Rows events={page.events} kind={kind} back={`${basePath}${query(params, { live: undefined })}`} targets={page.targets ?? {}} />
      )}
      {(params.get('cursor') || page.next_cursor) && !live && (
        <nav class="pager" aria-label="Pages">
          {params.get('cursor') ? <a href={`${basePath}${firstPage}`} hx-get={`${basePath}${firstPage}`} hx-target="#results" hx-swap="outerHTML show:top" hx-push-url="true">← Newest</a> : <span />}
          {page.next_cursor && (
            <a rel="next" href={`${basePath}${query(params, { cursor: page.next_cursor })}`} hx-get={`${basePath}${query(params, { cursor: page.next_cursor })}`}
              hx-target="#results" hx-swap="outerHTML show:top" hx-push-url="true">Older →</a>
          )}
        </nav>
      )}
    </section>
  );
}

function Field(props: { label: string; name: string; value?: string | null; placeholder?: string; type?: string; list?: string; invalid?: boolean; hint?: string; wide?: boolean }) {
  const id = `f-${props.name}`;
  return (
    <label class={`field${props.wide ? ' wide' : ''}${props.invalid ? ' invalid' : ''}`} for={id}>
      <span>{props.label}</span>
      <input id={id} name={props.name} type={props.type ?? 'text'} value={props.value ?? ''} placeholder={props.placeholder} list={props.list}
        aria-invalid={props.invalid ? 'true' : undefined} autocomplete="off" spellcheck={false} />
      {props.hint && <small>{props.hint}</small>}
    </label>
  );
}

/** The verbs the audited tables declare (from the page's target info), for the verb field's suggestions. */
function declaredVerbs(props: ListProps): string[] {
  const targets = 'page' in props.result ? props.result.page.targets ?? {} : {};
  return [...new Set(Object.values(targets).flatMap((t) => t.verbs))].sort();
}

/** One GET form: works without JavaScript; with htmx it narrows the results as you type. */
function FilterForm(props: ListProps) {
  const { params, basePath, kind } = props;
  const bad = 'error' in props.result ? props.result.error.field : undefined;
  const { actions } = props;
  const others = actions.filter((a) => !(ACTIONS as readonly string[]).includes(a));
  const window = params.get('window') ?? '';
  const chips = (['actor_id', 'tx_id'] as const).filter((k) => params.get(k));
  return (
    <form id="filters" class="filters" method="get" action={basePath} role="search"
      hx-get={basePath} hx-target="#results" hx-swap="outerHTML" hx-push-url="true" hx-sync="this:replace"
      hx-trigger="input delay:300ms, change delay:50ms, submit">
      <div class="row">
        <Field label="Search" name="q" type="search" value={params.get('q')} wide invalid={bad === 'q'}
          placeholder={kind === 'events' ? 'names, labels, ids, tables, actions…   (press / to focus)' : 'email, user id…   (press / to focus)'} />
        {kind === 'events' && (
          <label class="check in-data" title="also search the values inside the recorded rows (slower: reads every recorded row of the searched period)">
            <input type="checkbox" name="in_data" value="1" checked={params.get('in_data') === '1'} /> also in row values
          </label>
        )}
        <label class="field" for="f-actor_type">
          <span>Actor type</span>
          <select id="f-actor_type" name="actor_type" aria-invalid={bad === 'actor_type' ? 'true' : undefined}>
            {[['', 'any'], ...ACTOR_TYPES.map((t) => [t, ACTOR_TYPE_LABELS[t]])].map(([v, l]) => (
              <option value={v} selected={(params.get('actor_type') ?? '') === v}>{l}</option>
            ))}
          </select>
        </label>
        <Field label="Actor" name="actor" value={params.get('actor')} placeholder="id, name or email" invalid={bad === 'actor'} />
        <Field label="IP" name="ip" value={params.get('ip')} placeholder="203.0.113.7 or 10.0.0.0/8" invalid={bad === 'ip'} />
      </div>
      <div class="row">
        {kind === 'events' ? (
          <fieldset class={`field actions${bad === 'action' ? ' invalid' : ''}`}>
            <legend>Action</legend>
            {ACTIONS.map((a) => (
              <label class="check"><input type="checkbox" name="action" value={a} checked={actions.includes(a)} /> {a}</label>
            ))}
            <input name="action" aria-label="Other actions" value={others.join(', ')} placeholder="auth.*, broadcast.send" autocomplete="off" />
          </fieldset>
        ) : (
          <SignInFilters params={params} invalid={bad} />
        )}
        {kind === 'events' && <Field label="Verb" name="verb" value={params.getAll('verb').join(', ')} placeholder="send, pause" list="verbs" invalid={bad === 'verb'} />}
        {kind === 'events' && <Field label="Target type" name="target_type" value={params.get('target_type')} placeholder="public.contacts" list="target-types" invalid={bad === 'target_type'} />}
        {kind === 'events' && <Field label="Target id" name="target_id" value={params.get('target_id')} placeholder="42" invalid={bad === 'target_id'} />}
      </div>
      <div class="row time-row">
        <fieldset class={`field windows${bad === 'window' ? ' invalid' : ''}`}>
          <legend>Time</legend>
          {WINDOWS.map(([v, l]) => (
            <label class="pill"><input type="radio" name="window" value={v} checked={window === v} /> <span>{l}</span></label>
          ))}
        </fieldset>
        <Field label="From (UTC, inclusive)" name="from" value={params.get('from')} placeholder="2026-11-24 or 2026-11-24T09:30Z" invalid={bad === 'from'} />
        <Field label="To (UTC, exclusive)" name="to" value={params.get('to')} placeholder="2026-11-25T00:00Z" invalid={bad === 'to'}
          hint="A date without a time includes that whole day." />
      </div>
      <div class="row actions-row">
        {chips.map((k) => (
          <span class="chip">
            <input type="hidden" name={k} value={params.get(k) ?? ''} />
            {k === 'tx_id' ? 'transaction' : 'actor id'} <code>{params.get(k)}</code>
            <a href={`${basePath}${query(params, { [k]: undefined, cursor: undefined })}`} aria-label={`remove the ${k} filter`} data-remove={k}>×</a>
          </span>
        ))}
        <label class="check live"><input type="checkbox" name="live" value="1" checked={props.live} /> Live (refresh every {LIVE_SECONDS} s)</label>
        <span class="spacer" />
        <a class="button ghost" href={basePath} id="clear-filters">Clear filters</a>
        <button type="submit">Apply</button>
      </div>
      {props.targetTypes && (
        <datalist id="target-types">{props.targetTypes.map((t) => <option value={t} />)}</datalist>
      )}
      {kind === 'events' && <datalist id="verbs">{declaredVerbs(props).map((v) => <option value={v} />)}</datalist>}
    </form>
  );
}

export function ListPage(props: ListProps & { principal: Principal; csrfToken: string; heading?: string; seal?: Child }) {
  const title = props.heading ?? (props.kind === 'events' ? 'Events' : 'Sign-in log');
  return (
    <Layout title={title} principal={props.principal} csrfToken={props.csrfToken} section={props.kind}>
      <div class="page-head">
        <h1>{title}</h1>
        {props.kind === 'sign-ins' && <p class="muted">Sign-ins, failed sign-ins and sign-outs (actions <code>auth.*</code>), kept apart from data changes.</p>}
        {props.seal}
        {props.kind === 'events' && props.params.get('target_type') && props.params.get('target_id') && (
          <p class="links"><a class="button" id="as-of-link" href={`/records/as-of?${new URLSearchParams({ target_type: props.params.get('target_type')!, target_id: props.params.get('target_id')! })}`}>This record as of…</a></p>
        )}
      </div>
      <FilterForm {...props} />
      <Results {...props} />
    </Layout>
  );
}
