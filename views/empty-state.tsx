/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// What to say when no event matches: only suggestions that would widen the result given the
// filters actually in use, each with a link to the same list without that filter.
import type { Child } from 'hono/jsx';
import { query } from './format.ts';

type Kind = 'events' | 'sign-ins';

/** Filters that are removed as a whole, with how the suggestion names them. */
const REMOVABLE: Array<[string, string]> = [
  ['action', 'action'], ['result', 'result'], ['reason', 'reason'], ['actor_type', 'actor type'], ['actor_id', 'actor id'],
  ['target_type', 'target type'], ['target_id', 'target id'], ['ip', 'IP'], ['tx_id', 'transaction'],
];
const TIME = ['window', 'from', 'to'] as const;

export interface Suggestion {
  /** The filter(s) it is about: data-suggest on the item, so tests and scripts can find it. */
  key: string;
  body: Child;
}

const set = (params: URLSearchParams, key: string) => (params.get(key) ?? '').trim() !== '';

export function suggestions(basePath: string, params: URLSearchParams): Suggestion[] {
  const without = (...keys: string[]) => `${basePath}${query(params, Object.fromEntries([...keys, 'cursor'].map((k) => [k, undefined])))}`;
  const out: Suggestion[] = [];
  if (set(params, 'actor')) {
    out.push({ key: 'actor', body: <>No actor id is <code>{params.get('actor')}</code> and no name or email starts with it: try fewer characters, or <a href={without('actor')}>clear the actor</a>.</> });
  }
  if (set(params, 'q')) {
    out.push({ key: 'q', body: <>Search for a shorter part of the text, or <a href={without('q')}>clear the search</a>.</> });
  }
  for (const [key, label] of REMOVABLE) {
    if (set(params, key)) out.push({ key, body: <>Remove the {label} filter: <a href={without(key)}>without it</a>.</> });
  }
  if (TIME.some((k) => set(params, k))) {
    out.push({ key: 'time', body: <>Widen the time window: <a href={without(...TIME)}>any time</a>.</> });
  }
  // Retention may have dropped what an older page pointed at.
  if (set(params, 'cursor')) out.push({ key: 'cursor', body: <>No older events: <a href={without()}>back to the newest</a>.</> });
  return out;
}

export function EmptyState({ kind, basePath, params }: { kind: Kind; basePath: string; params: URLSearchParams }) {
  const items = suggestions(basePath, params);
  if (items.length === 0) {
    return (
      <div class="empty" data-empty="nothing-recorded">
        <p><strong>No events yet.</strong> {kind === 'events'
          ? <>Nothing has been recorded: enable auditing on a table (<code>pgtrail enable</code>), or change an audited one.</>
          : <>No one has signed in, failed to, or signed out yet.</>}</p>
      </div>
    );
  }
  return (
    <div class="empty" data-empty="filtered">
      <p><strong>No events match.</strong> {items.length === 1 ? 'To see more:' : 'Any of these would show more:'}</p>
      <ul class="suggestions">
        {items.map((s) => <li data-suggest={s.key}>{s.body}</li>)}
      </ul>
      <p class="muted">Every filter narrows the result; <a href={basePath}>clear filters</a> to see everything.</p>
    </div>
  );
}
