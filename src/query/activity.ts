// Activity over time for one filter: the histogram of the matching events across the window and
// the top actors, actions and target types, with their counts (the console's activity panel).
//
// Two ways to count, the same numbers either way (test/activity.test.ts checks both against a
// brute-force count):
//   rollup  whole hours from audit.activity_hours (maintenance's hourly counts, migration 0013),
//           plus, read live, the partial hours at the window's edges and the tail: the events
//           not yet rolled up (their transaction was not committed in audit.activity_state's
//           snapshot: see sql/functions/activity_rollup.sql). Used when every filter is a column of
//           the rollup and the bars are an hour or wider.
//   live    the matching events themselves, the newest ACTIVITY_CAP at most (by occurred_at). When
//           there are more, everything is shown for the part of the window they cover, exactly,
//           and `partial` says from when (filters the rollup cannot answer: ip, free text,
//           target id, transaction, sign-in reason; or no rollup yet, or a tail too long).
// Why not count the window every time: at 10 M events a GROUP BY over 7 days (2.3 M events) takes
// 4–6 s here; bench/README.md, "Activity panel".
import type { Queryable } from '../db/queryable.ts';
import { join, raw, sql, val } from '../db/fragment.ts';
import { inTransaction } from '../db/transaction.ts';
import { FILTER_KEYS, type EventFilter } from './filter.ts';
import { wherePredicate } from './predicate.ts';
import { planOf, type QueryPlan } from './plan.ts';
import { bucketSize, HOUR_MS, MINUTE_MS, toBuckets, type Bucket } from './activity-buckets.ts';

export type { Bucket } from './activity-buckets.ts';

/** The most events one panel reads live (the edges and tail of a rollup, or a whole window). */
export const ACTIVITY_CAP = 50_000;
/** Entries per facet. */
const TOP = 8;

/** Filters that are columns of audit.activity_hours (wherePredicate can run over it), and time. */
const ROLLUP_KEYS: ReadonlySet<string> = new Set(['actor_type', 'action', 'result', 'verb', 'target_type', 'window', 'from', 'to']);
/** Of those, the ones audit.activity_actor_hours can answer too (the top actors). */
const ACTOR_ROLLUP_KEYS: ReadonlySet<string> = new Set(['actor_type', 'window', 'from', 'to']);
const TIME_KEYS = ['window', 'from', 'to'] as const;

export interface ActorCount { actor_type: string; actor_id: string | null; actor_name: string | null; count: number }
export interface ActionCount { action: string; count: number }
export interface VerbCount { verb: string; count: number }
export interface TargetTypeCount { target_type: string; count: number }

export interface Activity {
  /** The span the bars cover: the window (or, with `partial`, the part of it that was counted). */
  from: Date;
  to: Date;
  /** Bar width, ms. */
  step: number;
  buckets: Bucket[];
  /** Matching events in [from, to): the sum of the bars, and of each facet's full list. */
  total: number;
  actors: ActorCount[];
  actions: ActionCount[];
  /** Domain verbs (migration 0012), of the events that have one. */
  verbs: VerbCount[];
  targetTypes: TargetTypeCount[];
  source: 'rollup' | 'live';
  /** The window held more than ACTIVITY_CAP matches: only [from, to) is counted; `reason` says why no rollup did. */
  partial?: { reason: string };
  /** The top actors alone were counted over the newest ACTORS_SAMPLE matching events only (an action, verb or target filter: not in the actor rollup), the oldest of them from this time. */
  actorsSince?: Date;
}

/** True when the hourly rollup holds every column these filters test. */
function rollupAnswers(filter: EventFilter, keys: ReadonlySet<string> = ROLLUP_KEYS): boolean {
  return FILTER_KEYS.every((k) => filter[k] === undefined || keys.has(k));
}

/**
 * `query`: the request's plan (planQuery), or a filter to plan for the panel alone.
 * `rollup: false` counts live even where the rollup could answer (the benchmark's baseline).
 */
export async function activity(db: Queryable, query: QueryPlan | EventFilter, now?: Date, options: { rollup?: boolean } = {}): Promise<Activity> {
  const plan = await planOf(db, query, now);
  const { filter, window } = plan;
  // Bars narrower than an hour need minute grains: the window is short, so cheap to read live.
  const hourly = !window.from || bucketSize(window.from, window.end) >= HOUR_MS;
  if (!rollupAnswers(filter)) return live(db, plan, 'these filters (actor, IP, free text, target id, transaction or reason) are not in the hourly summary');
  if (!hourly || options.rollup === false) return live(db, plan, '');
  return inTransaction(db, async (c) => {
    const { rows } = await c.query('SELECT snap_xmin::text AS xmin, snap_xmax::text AS xmax, snap_xip::text[] AS xip FROM audit.activity_state');
    if (!rows[0]) return live(c, plan, 'maintenance has not summarised the events yet');
    const counted = await fromRollup(c, plan, rows[0]);
    return counted ?? live(c, plan, 'the hourly summary is behind (maintenance has not run lately)');
  }, { begin: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' });
}

interface Grouped { facet: 'bucket' | 'action' | 'verb' | 'target_type' | 'actor'; grain: Date | null; action: string | null; target_type: string | null; actor_type: string | null; actor_id: string | null; actor_name: string | null; verb: string | null; n: string }

type Facet = Grouped['facet'];
const SETS: Record<Facet, string> = { bucket: '(grain)', action: '(action)', verb: '(verb)', target_type: '(target_type)', actor: '(actor_type, actor_id)' };
const KEY: Record<Facet, string> = { bucket: 'grain', action: 'action', verb: 'verb', target_type: 'target_type', actor: 'actor_id' };

/**
 * The facets of the CTE `rows` (grain, action, target_type, actor_type, actor_id, actor_name, verb, n)
 * in one pass: every grain, and the TOP of each other facet (ties broken by name, so the order is
 * stable). Columns a facet does not group by come out NULL.
 */
function facetsOf(rows: string, facets: Facet[]): string {
  const has = (f: Facet) => facets.includes(f);
  const owner: Record<string, Facet> = { grain: 'bucket', action: 'action', verb: 'verb', target_type: 'target_type', actor_type: 'actor', actor_id: 'actor' };
  const col = (c: string, type = 'text') => (has(owner[c]) ? c : `NULL::${type} AS ${c}`);
  const which = facets.slice(0, -1).map((f) => `WHEN GROUPING(${KEY[f]}) = 0 THEN '${f}'`).join(' ');
  // Events without a verb (most) are not a verb.
  return `SELECT facet, grain, action, target_type, actor_type, actor_id, actor_name, verb, n FROM (
      SELECT g.*, row_number() OVER (PARTITION BY facet ORDER BY n DESC, action, verb, target_type, actor_type, actor_id) AS rank FROM (
        SELECT ${facets.length > 1 ? `CASE ${which} ELSE '${facets[facets.length - 1]}' END` : `'${facets[0]}'`} AS facet,
               ${col('grain', 'timestamptz')}, ${col('action')}, ${col('target_type')}, ${col('actor_type')}, ${col('actor_id')},
               ${has('actor') ? 'max(actor_name)' : 'NULL::text'} AS actor_name, ${col('verb')}, sum(n)::bigint AS n
          FROM ${rows} GROUP BY GROUPING SETS (${facets.map((f) => SETS[f]).join(', ')})) AS g
       WHERE facet <> 'verb' OR verb IS NOT NULL) AS r
    WHERE facet = 'bucket' OR rank <= ${TOP}`;
}

const ts = (d: Date) => val(d.toISOString(), 'timestamptz');

/** Counted from the rollup, or null when the live part (edges + tail) is over the cap. */
async function fromRollup(c: Queryable, plan: QueryPlan, state: { xmin: string; xmax: string; xip: string[] }): Promise<Activity | null> {
  const { filter, now, window: { from } } = plan;
  const h0 = from && new Date(Math.ceil(from.getTime() / HOUR_MS) * HOUR_MS);
  const h1 = filter.to && new Date(Math.floor(filter.to.getTime() / HOUR_MS) * HOUR_MS);
  const untimed: EventFilter = { ...filter };
  for (const k of TIME_KEYS) delete untimed[k];
  const range = [...(h0 ? [sql`hour >= ${ts(h0)}`] : []), ...(h1 ? [sql`hour < ${ts(h1)}`] : [])];
  const hours = join([wherePredicate(untimed, now, { sameTarget: plan.sameTarget }), ...range], ' AND ');
  const actorsToo = rollupAnswers(filter, ACTOR_ROLLUP_KEYS);
  // Read live: the partial hours at either edge, and whatever the last rollup had not seen.
  const tail = sql`(tx_id >= ${val(state.xmin, 'bigint')} AND (tx_id >= ${val(state.xmax, 'bigint')} OR tx_id = ANY(${val(state.xip, 'text[]')}::bigint[])))`;
  const notRolled = join([...(h0 ? [sql`occurred_at < ${ts(h0)}`] : []), ...(h1 ? [sql`occurred_at >= ${ts(h1)}`] : []), tail], ' OR ');
  const q = sql`WITH live AS MATERIALIZED (
      SELECT date_trunc('hour', occurred_at, 'UTC') AS grain, action, target_type, actor_type, actor_id, actor_name, verb, 1::bigint AS n
        FROM audit.events WHERE ${plan.where} AND (${notRolled}) LIMIT ${val(ACTIVITY_CAP + 1, 'integer')}
    ), kinds AS (
      SELECT hour AS grain, action, target_type, actor_type, NULL::text AS actor_id, NULL::text AS actor_name, verb, events AS n
        FROM audit.activity_hours WHERE ${hours}
      UNION ALL SELECT * FROM live
    ), actors AS (
      SELECT hour AS grain, NULL::text AS action, NULL::text AS target_type, actor_type, actor_id, actor_name, NULL::text AS verb, events AS n
        FROM audit.activity_actor_hours WHERE ${actorsToo ? hours : raw('false')}
      UNION ALL SELECT * FROM live WHERE ${raw(String(actorsToo))}
    )
    SELECT f.*, (SELECT count(*) FROM live)::int AS live_rows FROM (${raw(facetsOf('kinds', ['bucket', 'action', 'verb', 'target_type']))}) AS f
    UNION ALL SELECT a.*, NULL FROM (${raw(facetsOf('actors', ['actor']))}) AS a`.toQuery();
  const { rows } = await c.query(q.text, q.values);
  if (rows.some((r) => r.live_rows > ACTIVITY_CAP)) return null;
  const result = build(rows, from, plan, HOUR_MS, 'rollup');
  if (actorsToo) return result;
  return { ...result, ...(await newestActors(c, plan, result.total)) };
}

/** How many of the newest matching events the top actors are counted over, when no rollup has them. */
export const ACTORS_SAMPLE = 10_000;

/**
 * The top actors for a filter the actor rollup cannot answer (an action, verb or target type): of
 * the newest ACTORS_SAMPLE matching events, or of all of them when the rollup's total says there
 * are no more (then exact, and no label). With more, and a window that reaches the present, the
 * newest are found by walking the id index from the end (ids follow recording order), which stops
 * after ACTORS_SAMPLE matches: the total says they are at least that dense. Otherwise they are
 * collected and sorted (`id + 0` keeps the planner off the walk, as list.ts does).
 */
async function newestActors(c: Queryable, plan: QueryPlan, total: number): Promise<Pick<Activity, 'actors' | 'actorsSince'>> {
  const order = total > ACTORS_SAMPLE && !plan.filter.to ? raw('id') : raw('id + 0');
  const q = sql`SELECT actor_type, actor_id, max(actor_name) AS actor_name, count(*)::int AS n, min(min(occurred_at)) OVER () AS since
      FROM (SELECT actor_type, actor_id, actor_name, occurred_at FROM audit.events WHERE ${plan.where}
             ORDER BY ${order} DESC LIMIT ${val(ACTORS_SAMPLE, 'integer')}) AS newest
     GROUP BY actor_type, actor_id ORDER BY n DESC, actor_type, actor_id LIMIT ${val(TOP, 'integer')}`.toQuery();
  const { rows } = await c.query(q.text, q.values);
  const actors = rows.map((r) => ({ actor_type: r.actor_type, actor_id: r.actor_id, actor_name: r.actor_name, count: r.n }));
  return total > ACTORS_SAMPLE && rows[0] ? { actors, actorsSince: rows[0].since } : { actors };
}

async function live(db: Queryable, plan: QueryPlan, reason: string): Promise<Activity> {
  const where = plan.where;
  // `cut`: past the cap, the (cap+1)-th newest time T; every event after T is among the newest
  // cap, so [cut, to) is counted exactly (cut is the next millisecond: JavaScript's resolution).
  const q = sql`WITH live AS MATERIALIZED (
      SELECT occurred_at, action, target_type, actor_type, actor_id, actor_name, verb
        FROM audit.events WHERE ${where} ORDER BY occurred_at DESC LIMIT ${val(ACTIVITY_CAP + 1, 'integer')}
    ), cut AS (
      SELECT CASE WHEN count(*) > ${val(ACTIVITY_CAP, 'integer')} THEN date_trunc('milliseconds', min(occurred_at)) + interval '1 millisecond' END AS at FROM live
    ), rows AS (
      SELECT date_trunc('minute', occurred_at, 'UTC') AS grain, action, target_type, actor_type, actor_id, actor_name, verb, 1::bigint AS n
        FROM live WHERE occurred_at >= coalesce((SELECT at FROM cut), '-infinity')
    ) SELECT f.*, (SELECT at FROM cut) AS cut FROM (${raw(facetsOf('rows', ['bucket', 'action', 'verb', 'target_type', 'actor']))}) AS f`.toQuery();
  const { rows } = await db.query(q.text, q.values);
  const cut: Date | null = rows[0]?.cut ?? null;
  const result = build(rows, cut ?? plan.window.from, plan, MINUTE_MS, 'live');
  return cut ? { ...result, partial: { reason } } : result;
}

function build(rows: Grouped[], from: Date | undefined, plan: QueryPlan, grain: number, source: Activity['source']): Activity {
  const grains = new Map<number, number>();
  const actors: ActorCount[] = [], actions: ActionCount[] = [], verbs: VerbCount[] = [], targetTypes: TargetTypeCount[] = [];
  for (const r of rows) {
    const count = Number(r.n);
    if (r.facet === 'bucket') grains.set(r.grain!.getTime(), count);
    else if (r.facet === 'action') actions.push({ action: r.action!, count });
    else if (r.facet === 'verb') verbs.push({ verb: r.verb!, count });
    else if (r.facet === 'target_type') targetTypes.push({ target_type: r.target_type!, count });
    else actors.push({ actor_type: r.actor_type!, actor_id: r.actor_id, actor_name: r.actor_name, count });
  }
  const times = [...grains.keys()];
  const last = times.length ? Math.max(...times) + grain : 0;
  // A window reaching the present ends at now, or later for events stamped after it (a writer's
  // clock ahead), though never past the filter's own `to`.
  const { window } = plan;
  const to = window.past ? window.end : new Date(Math.min(Math.max(window.end.getTime(), last), window.to?.getTime() ?? Infinity));
  const start = from ?? new Date(times.length ? Math.min(...times) : to.getTime() - HOUR_MS);
  const step = bucketSize(start, to, grain);
  const buckets = toBuckets(start, to, step, grains);
  const total = buckets.reduce((s, b) => s + b.count, 0);
  return { from: start, to, step, buckets, total, actors, actions, verbs, targetTypes, source };
}
