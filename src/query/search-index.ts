// Whether the optional free-text index (audit.events_search_idx, `pgtrail search-index enable`)
// is there for a query to use. Asked once per request with a search term (planQuery), never cached: a DBA may
// enable or disable it while the console runs, and one catalog lookup is little beside a search.
// Correctness never depends on the answer: the predicate finds the same rows with the index's test
// as with the per-field one (src/query/predicate.ts), on indexed partitions or not; only the
// speed does.
import type { Queryable } from '../db/queryable.ts';
import type { EventFilter } from './filter.ts';
import type { QueryWindow } from './window.ts';

const SEARCH_INDEX = 'audit.events_search_idx';

/**
 * pg_trgm indexes three-character sequences: a shorter term gives the index nothing to look up,
 * and the extra test would only cost time on every row.
 */
const MIN_INDEXED_TERM = 3;

export function searchMayUseIndex(filter: EventFilter): boolean {
  return filter.q !== undefined && [...filter.q].length >= MIN_INDEXED_TERM;
}

/**
 * A time window shorter than this is searched without the index. Comparing every event of a few
 * hours is quick (10M events over 30 days: 1 hour in 24 ms at p95), while the index reads a term's
 * entries for the whole of each partition the window touches, however short the window: a common
 * term in the last hour of a monthly partition took 0.17 s (page) and 0.31 s (count) through it.
 */
export const SHORT_WINDOW_MS = 6 * 3_600_000;

/** The window is absent or at least SHORT_WINDOW_MS long: a free-text search there is not quick without the index. */
export function wideWindow(window: QueryWindow): boolean {
  return window.spanMs >= SHORT_WINDOW_MS;
}

/** The filter's search term is one the index serves, over a window long enough to be worth it. */
export function indexServes(filter: EventFilter, window: QueryWindow): boolean {
  return searchMayUseIndex(filter) && wideWindow(window);
}

/**
 * The index exists (valid or still being built) and covers target_label (built since migration
 * 0012; one built before would miss labels, so it is not used). One catalog lookup.
 */
export async function searchIndexPresent(db: Queryable): Promise<boolean> {
  const { rows } = await db.query(`SELECT coalesce(strpos(pg_get_indexdef(to_regclass($1)), 'target_label') > 0, false) AS present`, [SEARCH_INDEX]);
  return rows[0].present === true;
}
