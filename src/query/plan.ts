// One query plan per request: everything the list, the count, the scan hint, the timeout message,
// the activity panel and the export need to know beyond the filter itself, found once. At most
// three catalog reads, in parallel: whether the search index exists (only with a search term),
// the audited tables (one read serves the same-record target types and the console's target
// names; only with a target type or when asked for the names), and the partition holding the
// window's end (only for a window ending in the past). A filter that needs none of them makes no
// read at all, so an export or an API page asks the catalog nothing it does not use.
import type { Queryable } from '../db/queryable.ts';
import type { Fragment } from '../db/fragment.ts';
import type { EventFilter } from './filter.ts';
import { wherePredicate } from './predicate.ts';
import { choosePagePlan, needsPartitionEnd, partitionEnd, type PagePlan } from './page-plan.ts';
import { indexServes, searchIndexPresent } from './search-index.ts';
import { auditedTargets, type AuditedTargets } from './targets.ts';
import { queryWindow, type QueryWindow } from './window.ts';

export interface QueryPlan {
  filter: EventFilter;
  /** The instant relative windows were resolved at. */
  now: Date;
  window: QueryWindow;
  /** The free-text index exists (asked only when the filter has a search term; else false). */
  searchIndex: boolean;
  /** The predicate tests `q` the way the index answers (it exists, the term and the window suit it). */
  usesSearchIndex: boolean;
  /** The other target types naming the same records as filter.target_type (AuditedTargets.sameAs). */
  sameTarget: string[];
  /** The audited tables, their declared names, entities and verbs: read with a target type, or `{ targets: true }`. */
  targets?: AuditedTargets;
  /** How a page is read (walk / collect / split). */
  page: PagePlan;
  /** The filter's WHERE clause over audit.events (wherePredicate with the facts above). */
  where: Fragment;
}

export interface PlanOptions {
  /** Read the audited tables even without a target type (the console names the targets it lists). */
  targets?: boolean;
}

export async function planQuery(db: Queryable, filter: EventFilter, now: Date = new Date(), options: PlanOptions = {}): Promise<QueryPlan> {
  const window = queryWindow(filter, now);
  const [searchIndex, targets, partitionEnds] = await Promise.all([
    filter.q !== undefined ? searchIndexPresent(db) : false,
    filter.target_type !== undefined || options.targets ? auditedTargets(db) : undefined,
    needsPartitionEnd(window) ? partitionEnd(db, window.end) : undefined,
  ]);
  const usesSearchIndex = searchIndex && indexServes(filter, window);
  const sameTarget = filter.target_type && targets ? targets.sameAs(filter.target_type) : [];
  return {
    filter, now, window, searchIndex, usesSearchIndex, sameTarget, targets,
    page: choosePagePlan(window, partitionEnds, now),
    where: wherePredicate(filter, now, { searchIndex: usesSearchIndex, sameTarget }),
  };
}

/** A plan already made for this request, or one made now (callers that read one thing only). */
export function planOf(db: Queryable, query: QueryPlan | EventFilter, now?: Date, options?: PlanOptions): Promise<QueryPlan> {
  return isPlan(query) ? Promise.resolve(query) : planQuery(db, query, now, options);
}

export function isPlan(query: QueryPlan | EventFilter): query is QueryPlan {
  return 'where' in query && 'window' in query && typeof (query as QueryPlan).window === 'object';
}
