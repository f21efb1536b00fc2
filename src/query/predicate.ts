// EventFilter → the WHERE clause over audit.events. The only place that turns filters into SQL;
// values always travel as Fragment values (bind parameters, or audited literals for COPY).
import { Fragment, join, raw, sql, val } from '../db/fragment.ts';
import { quoteLiteral } from '../db/sql.ts';
import { ACTIONS } from '../generator/spec.ts';
import { SIGN_IN_RESULTS, windowFrom, type EventFilter } from './filter.ts';
import { searchMayUseIndex } from './search-index.ts';

/**
 * The predicate of the partial index events_app_action_idx (sql/tables/events.sql), written exactly
 * as the index declares it (the planner matches the text): the row actions, as constants.
 */
export const APP_ACTIONS_ONLY = `action NOT IN (${ACTIONS.map((a) => quoteLiteral(a)).join(', ')})`;

/** `%`, `_` and `\` are LIKE wildcards (and `\` LIKE's escape); escaped, the text matches literally. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Contains the text, literally. */
function likePattern(text: string): string {
  return `%${likeLiteral(text)}%`;
}

/** Starts with the text, literally. */
function likePrefix(text: string): string {
  return `${likeLiteral(text)}%`;
}

export interface PredicateOptions {
  /**
   * The free-text index audit.events_search_idx exists and suits the term and the window
   * (QueryPlan.usesSearchIndex, src/query/plan.ts). Then `q` also gets a test that index can
   * answer; without it, the predicate stays a plain scan-time test, with no extra work per row.
   */
  searchIndex?: boolean;
  /**
   * The other target types that name the same records as filter.target_type (QueryPlan.sameTarget,
   * AuditedTargets.sameAs): a table's declared entity, or the tables declaring an entity.
   */
  sameTarget?: string[];
}

/**
 * The test pg_trgm's GIN index answers: the lower-cased pattern against audit.search_text(…), the
 * six searched fields (actor name and id, target id and type, action, target label) lower-cased and joined by U+001F (sql/functions/search_text.sql, the
 * indexed expression, written here exactly as it is indexed).
 *
 * For a term without U+001F it is the per-field ILIKE, exactly: PostgreSQL's ILIKE lower-cases
 * text and pattern and compares them with LIKE; lower() of the joined text is the join of each
 * field's lower() (the separator is neither a letter nor case-ignorable, so no case rule looks
 * across it); and an occurrence of a term without the separator lies inside one field. So the
 * per-field ILIKE is then left out: kept beside it, the planner multiplies the two selectivities
 * as if independent, expects far too few matches for a common term, and collects them through the
 * index instead of walking the newest events (10M events: `q=nightly&window=7d` took 0.74 s that
 * way, 3 ms without the second test). A term holding U+001F could match across two fields: there
 * the ILIKE stays, as the exact test. test/search-index.test.ts checks that every search finds the
 * same rows with and without the index.
 */
const SEARCH_TEXT = 'audit.search_text(actor_name, actor_id, target_id, target_type, action, target_label)';
const SEPARATOR = '\u001f';

export function wherePredicate(filter: EventFilter, now: Date = new Date(), options: PredicateOptions = {}): Fragment {
  const parts: Fragment[] = [];
  if (filter.actor_type) parts.push(sql`actor_type = ${val(filter.actor_type, 'text')}`);
  if (filter.actor_id) parts.push(sql`actor_id = ${val(filter.actor_id, 'text')}`);
  if (filter.actor) {
    // The id exactly (ids are handles: "4" must not find 40–49), or a name / email starting with
    // the text, ignoring case. events_actor_name_prefix_idx (migration 0008) indexes
    // lower(actor_name) with text_pattern_ops, which serves LIKE 'prefix%' in any collation; the
    // pattern is a bind value, folded to a constant in the plan, so the planner sees its prefix.
    parts.push(sql`(actor_id = ${val(filter.actor, 'text')} OR lower(actor_name) LIKE lower(${val(likePrefix(filter.actor), 'text')}))`);
  }
  if (filter.action?.length) {
    const exact = filter.action.filter((a) => !a.endsWith('.*'));
    const prefixes = filter.action.filter((a) => a.endsWith('.*')).map((a) => `${a.slice(0, -1)}%`); // 'auth.*' → 'auth.%'
    const any: Fragment[] = [];
    if (exact.length) any.push(sql`action = ANY(${val(exact, 'text[]')})`);
    // Action names hold no LIKE wildcards (the parser allows [a-z0-9_.] only; `_` is escaped here).
    // A prefix (`auth.*`) never matches a row-change action, and saying so lets the planner use the
    // partial index on application events (events_app_action_idx): LIKE itself cannot use a B-tree
    // outside the C collation. The clause must read exactly like that index's predicate.
    for (const p of prefixes) any.push(sql`(action LIKE ${val(p.replace(/_/g, '\\_'), 'text')} AND ${raw(APP_ACTIONS_ONLY)})`);
    parts.push(sql`(${join(any, ' OR ')})`);
  }
  // Plain equality on action: the planner proves it implies APP_ACTIONS_ONLY and uses the partial index.
  if (filter.result) parts.push(sql`action = ${val(SIGN_IN_RESULTS[filter.result], 'text')}`);
  if (filter.reason) parts.push(sql`action = ${val(SIGN_IN_RESULTS.failed, 'text')} AND metadata ->> 'reason' = ${val(filter.reason, 'text')}`);
  if (filter.verb?.length) parts.push(sql`verb = ANY(${val(filter.verb, 'text[]')})`);
  if (filter.target_type) {
    // One entity, one history: the table and the application type it stands for (sameTarget).
    const types = options.sameTarget?.length ? [filter.target_type, ...options.sameTarget] : null;
    parts.push(types ? sql`target_type = ANY(${val(types, 'text[]')})` : sql`target_type = ${val(filter.target_type, 'text')}`);
  }
  if (filter.target_id) parts.push(sql`target_id = ${val(filter.target_id, 'text')}`);
  if (filter.tx_id) parts.push(sql`tx_id = ${val(filter.tx_id, 'bigint')}`);
  const from = windowFrom(filter, now);
  if (from) parts.push(sql`occurred_at >= ${val(from.toISOString(), 'timestamptz')}`);
  if (filter.to) parts.push(sql`occurred_at < ${val(filter.to.toISOString(), 'timestamptz')}`);
  if (filter.ip) {
    parts.push(filter.ip.includes('/') ? sql`ip <<= ${val(filter.ip, 'cidr')}` : sql`ip = ${val(filter.ip, 'inet')}`);
  }
  if (filter.q) {
    const pattern = val(likePattern(filter.q), 'text');
    // in_data: the values inside the row images too (top-level values as text). The index does not
    // hold them, so the search then scans the window like one without the index.
    const indexed = options.searchIndex === true && searchMayUseIndex(filter) && !filter.in_data;
    if (indexed) parts.push(sql`${raw(SEARCH_TEXT)} LIKE lower(${pattern})`);
    const inData = filter.in_data
      ? sql` OR EXISTS (SELECT FROM jsonb_each_text(old_data) AS o WHERE o.value ILIKE ${pattern}) OR EXISTS (SELECT FROM jsonb_each_text(new_data) AS n WHERE n.value ILIKE ${pattern})`
      : raw('');
    if (!indexed || filter.q.includes(SEPARATOR)) parts.push(sql`(actor_name ILIKE ${pattern} OR actor_id ILIKE ${pattern} OR target_id ILIKE ${pattern} OR target_type ILIKE ${pattern} OR action ILIKE ${pattern} OR target_label ILIKE ${pattern}${inData})`);
  }
  return parts.length ? join(parts, ' AND ') : raw('true');
}
