// What the console and the API say when statement_timeout cuts a list, count or detail query
// (AppDeps.reads), and the hint shown before it comes to that. Free text without the search index
// compares every event of the window (10M events: ~5 s over 7 days, ~16 s with no window).
//
// The status is 503, not 500: nothing is broken and the request is well-formed, the server only
// declined to spend longer on it, and the same request may well pass under less load. Not 422
// either: the filters are valid, and no client can tell from them alone which ones are too broad.
import { sqlState, SqlState } from '../db/errors.ts';
import type { QueryPlan } from '../query/plan.ts';
import { wideWindow } from '../query/search-index.ts';

export const TIMEOUT_STATUS = 503;

const ENABLE_INDEX = 'pgtrail search-index enable';

export function isQueryTimeout(error: unknown): boolean {
  return sqlState(error) === SqlState.queryCanceled;
}

/** `10 s`, `1.5 s`, `250 ms`; without a timeout (a cancel from elsewhere), `its time limit`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return 'its time limit';
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/**
 * The message for a cut query; it suggests the index only when free text was used and the plan
 * found no index. Without a plan (the planning itself was cut) it makes no suggestion.
 */
export function timeoutMessage(plan: QueryPlan | undefined, timeoutMs: number | undefined): string {
  const head = `This search took longer than ${duration(timeoutMs)}.`;
  const suggestIndex = plan !== undefined && plan.filter.q !== undefined && !plan.searchIndex;
  return suggestIndex
    ? `${head} Narrow the time window, add a filter, or ask a DBA to enable the free-text search index (${ENABLE_INDEX}).`
    : `${head} Narrow the time window or add a filter.`;
}

/** The events page's warning, or undefined: free text over a window of more than a few hours (or none) without the index. */
export function scanHint(plan: QueryPlan): string | undefined {
  if (plan.filter.q === undefined || !wideWindow(plan.window) || plan.searchIndex) return undefined;
  return `Free text scans every event in the window — narrow it, or enable the search index (${ENABLE_INDEX}).`;
}
