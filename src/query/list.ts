// Pages of events, newest first, by keyset on id (stable under concurrent inserts; no OFFSET),
// and a capped count that never turns into a slow query.
import type { Queryable } from '../db/queryable.ts';
import { type Fragment, raw, sql, val } from '../db/fragment.ts';
import { EVENT_JSON, parseEvent, type EventJson } from './columns.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { filterDigest, type EventFilter } from './filter.ts';
import { SLICE_MS, WALK_COST, type PagePlan } from './page-plan.ts';
import { planOf, type QueryPlan } from './plan.ts';
import type { TargetInfo } from './targets.ts';
import { inTransaction } from '../db/transaction.ts';
import { isBigintId } from '../db/ids.ts';

/** A page of events: the console's page and the API's default `limit`. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
/** The most matches countEvents counts (shown as "10,000+" past it). */
export const COUNT_CAP = 10_000;

export interface PageRequest {
  limit?: number;
  cursor?: string;
  /** Signs cursors; keep it stable across restarts so API clients can keep paging. */
  secret: string;
  /** Resolves a relative window when no plan is given (the plan's own `now` otherwise). */
  now?: Date;
}

export interface Page {
  events: EventJson[];
  next_cursor: string | null;
  /** What the audited tables declare (type name, entity, verbs), by target type: how the console names targets. */
  targets?: Record<string, TargetInfo>;
}

/** A page as JSON text: each event exactly as PostgreSQL wrote EVENT_JSON (what the API sends). */
export interface PageText {
  events: string[];
  next_cursor: string | null;
}

/**
 * listEventTexts, parsed for the console (numbers kept exact: parseEvent), with the declared target
 * names. `query`: the request's plan (planQuery with `{ targets: true }`), or a filter to plan for
 * this page alone.
 */
export async function listEvents(db: Queryable, query: QueryPlan | EventFilter, page: PageRequest): Promise<Page> {
  const plan = await planOf(db, query, page.now, { targets: true });
  if (!plan.targets) throw new Error('listEvents names the targets: plan with { targets: true }');
  const { events, next_cursor } = await listEventTexts(db, plan, page);
  return { events: events.map(parseEvent), next_cursor, targets: Object.fromEntries(plan.targets.info) };
}

/** `db`: a pool, or one connection outside a transaction (a split page opens one on it: splitPage). */
export async function listEventTexts(db: Queryable, query: QueryPlan | EventFilter, page: PageRequest): Promise<PageText> {
  const plan = await planOf(db, query, page.now);
  const limit = Math.min(Math.max(page.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
  const digest = filterDigest(plan.filter);
  const after = page.cursor ? decodeCursor(page.cursor, digest, page.secret) : undefined;
  const matching = after ? sql`${plan.where} AND id < ${val(after, 'bigint')}` : plan.where;
  const rows = plan.page.kind === 'split'
    ? await splitPage(db, matching, limit, plan.page)
    : await db.query(...pageQuery(matching, plan.page.kind === 'collect' ? COLLECT : WALK, limit)).then((r) => r.rows as PageRow[]);
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  return {
    events: shown.map((r) => r.event),
    next_cursor: more ? encodeCursor(shown[shown.length - 1].key, digest, page.secret) : null,
  };
}

/** `event` is text: pg would JSON.parse a json column and round its numbers. */
interface PageRow { key: string; event: string }

// `id + 0` is the same order, but keeps the planner from walking the id index (PagePlan).
const WALK = raw('id');
const COLLECT = raw('id + 0');

/** The newest limit + 1 matching events, newest first. */
function pageQuery(matching: Fragment, order: Fragment, limit: number): [string, unknown[]] {
  // The JSON is built outside the LIMIT, for the page's rows only: inside, a sort would build it for
  // every row of the window first (2 s instead of 0.2 s for a day of 330,000 events).
  // The alias must not be `id`: ORDER BY id would then sort the text, not the bigint.
  const q = sql`SELECT id::text AS key, ${rawJson()}::text AS event FROM (SELECT * FROM audit.events WHERE ${matching} ORDER BY ${order} DESC LIMIT ${val(limit + 1, 'integer')}) AS page ORDER BY id DESC`.toQuery();
  return [q.text, q.values];
}

/**
 * A page of a window too wide to collect and too far back to walk, exactly, in two steps:
 *   1. the slice just before `to` (the last hour, all filters and the cursor applied) collected
 *      and sorted; its (limit + 1)-th newest id is b;
 *   2. the matching events from before the slice with an id above b: rows recorded out of time
 *      order (a long statement's events carry its start time but ids from when they were written).
 * The newest limit + 1 of both are the page: any matching event newer than b is in the slice's
 * first limit + 1 or, being older than the slice, in step 2; nothing at or below b can make the
 * page. Step 2 is meant to find its few rows by ANDing two BRIN bitmaps (occurred_at before the
 * slice, id above b: migration 0007); the planner, seeing ids spread evenly over time, would walk the
 * id index from the partition's newest event instead, or scan the partition; both are switched off
 * for that statement. At 10 million events it still picks one BRIN and filters by the other
 * (bench/README.md, "Query latency": exact, but it reads the stretch after b or before the slice).
 * A slice with fewer than limit + 1 matches is doubled while collecting it stays
 * cheaper than the walk (WALK_COST); past that, or once it covers the whole window, the page is
 * read as choosePagePlan would have without the split. Measured at 10 million events, monthly partitions
 * (bench/to-only-brin.ts; bench/README.md, "Query latency").
 *
 * Both steps read one snapshot (REPEATABLE READ), so an event committed in between cannot slip in
 * above b unseen by step 1. A pool lends one client for it; any other Queryable is taken to be
 * one connection outside a transaction.
 */
async function splitPage(db: Queryable, matching: Fragment, limit: number, plan: Extract<PagePlan, { kind: 'split' }>): Promise<PageRow[]> {
  return inSnapshot(db, async (c) => {
    const to = plan.to.getTime();
    for (let span = SLICE_MS; ; span *= 2) {
      const sliceFrom = new Date(to - span);
      if (plan.from && sliceFrom <= plan.from) return (await c.query(...pageQuery(matching, COLLECT, limit))).rows;
      if (span > WALK_COST * plan.gapMs) return (await c.query(...pageQuery(matching, WALK, limit))).rows;
      const since = val(sliceFrom.toISOString(), 'timestamptz');
      const slice: PageRow[] = (await c.query(...pageQuery(sql`${matching} AND occurred_at >= ${since}`, COLLECT, limit))).rows;
      if (slice.length <= limit) continue;
      const b = val(slice[limit].key, 'bigint');
      await c.query('SET LOCAL enable_indexscan = off');
      await c.query('SET LOCAL enable_seqscan = off');
      const earlier: PageRow[] = (await c.query(...pageQuery(sql`${matching} AND occurred_at < ${since} AND id > ${b}`, WALK, limit))).rows;
      return [...slice, ...earlier].sort((x, y) => (BigInt(y.key) > BigInt(x.key) ? 1 : -1)).slice(0, limit + 1);
    }
  });
}

function inSnapshot<T>(db: Queryable, fn: (c: Queryable) => Promise<T>): Promise<T> {
  return inTransaction(db, fn, { begin: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' });
}

export async function getEvent(db: Queryable, id: string): Promise<EventJson | null> {
  const text = await getEventText(db, id);
  return text === null ? null : parseEvent(text);
}

/** One event's EVENT_JSON text as PostgreSQL wrote it, or null. */
export async function getEventText(db: Queryable, id: string): Promise<string | null> {
  if (!isBigintId(id)) return null;
  const query = sql`SELECT ${rawJson()}::text AS event FROM audit.events WHERE id = ${val(id, 'bigint')}`.toQuery();
  const { rows } = await db.query(query.text, query.values);
  return rows[0]?.event ?? null;
}

export interface Count {
  count: number;
  /** True when there are more than COUNT_CAP matches (shown as "10,000+"). */
  capped: boolean;
}

export async function countEvents(db: Queryable, query: QueryPlan | EventFilter, now?: Date): Promise<Count> {
  const { where } = await planOf(db, query, now);
  const q = sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM audit.events WHERE ${where} LIMIT ${val(COUNT_CAP + 1, 'integer')}) AS capped`.toQuery();
  const { rows } = await db.query(q.text, q.values);
  const n: number = rows[0].n;
  return n > COUNT_CAP ? { count: COUNT_CAP, capped: true } : { count: n, capped: false };
}

function rawJson() {
  return raw(EVENT_JSON);
}
