// Whether the optional free-text index (audit.events_search_idx, `pgtrail search-index enable`)
// is there for a query to use. Asked on every search that could use it, never cached: a DBA may
// enable or disable it while the console runs, and one catalog lookup (~0.1 ms) is nothing beside
// the search. Correctness never depends on the answer — the predicate keeps its exact per-field
// test either way (src/query/predicate.ts); only the speed does.
import type { Queryable } from '../generator/introspect.ts';
import type { EventFilter } from './filter.ts';

export const SEARCH_INDEX = 'audit.events_search_idx';

/**
 * pg_trgm indexes three-character sequences: a shorter term gives the index nothing to look up,
 * and the extra test would only cost time on every row.
 */
export const MIN_INDEXED_TERM = 3;

export function searchMayUseIndex(filter: EventFilter): boolean {
  return filter.q !== undefined && [...filter.q].length >= MIN_INDEXED_TERM;
}

/**
 * True when the filter has a search term the index can serve and the index exists, valid or
 * still being built (the partitions already indexed use it; the newest are indexed first).
 */
export async function useSearchIndex(db: Queryable, filter: EventFilter): Promise<boolean> {
  if (!searchMayUseIndex(filter)) return false;
  const { rows } = await db.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [SEARCH_INDEX]);
  return rows[0].present === true;
}
