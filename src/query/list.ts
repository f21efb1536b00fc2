// Pages of events, newest first, by keyset on id (stable under concurrent inserts; no OFFSET),
// and a capped count that never turns into a slow query.
import type { Queryable } from '../db/queryable.ts';
import { type Fragment, raw, sql, val } from '../db/fragment.ts';
import { EVENT_JSON, parseEvent, type EventJson } from './columns.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { filterDigest, windowFrom, type EventFilter } from './filter.ts';
import { wherePredicate } from './predicate.ts';
import { predicateOptions, targetInfo, type TargetInfo } from './targets.ts';
import { inTransaction } from '../db/transaction.ts';
import { isBigintId } from '../db/ids.ts';

/** A page of events: the console's page and the API's default `limit`. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
export const COUNT_CAP = 10_000;

export interface PageRequest {
  limit?: number;
  cursor?: string;
  /** Signs cursors; keep it stable across restarts so API clients can keep paging. */
  secret: string;
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

/** listEventTexts, parsed for the console (numbers kept exact: parseEvent). */
export async function listEvents(db: Queryable, filter: EventFilter, page: PageRequest): Promise<Page> {
  const [{ events, next_cursor }, targets] = await Promise.all([listEventTexts(db, filter, page), targetInfo(db)]);
  return { events: events.map(parseEvent), next_cursor, targets: Object.fromEntries(targets) };
}

/** `db`: a pool, or one connection outside a transaction (a split page opens one on it: splitPage). */
export async function listEventTexts(db: Queryable, filter: EventFilter, page: PageRequest): Promise<PageText> {
  const limit = Math.min(Math.max(page.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
  const digest = filterDigest(filter);
  const after = page.cursor ? decodeCursor(page.cursor, digest, page.secret) : undefined;
  const now = page.now ?? new Date();
  const where = wherePredicate(filter, now, await predicateOptions(db, filter, now));
  const matching = after ? sql`${where} AND id < ${val(after, 'bigint')}` : where;
  const plan = await pagePlan(db, filter, now);
  const rows = plan.kind === 'split'
    ? await splitPage(db, matching, limit, plan)
    : await db.query(...pageQuery(matching, plan.kind === 'collect' ? COLLECT : WALK, limit)).then((r) => r.rows as PageRow[]);
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  return {
    events: shown.map((r) => r.event),
    next_cursor: more ? encodeCursor(shown[shown.length - 1].key, digest, page.secret) : null,
  };
}

/** `event` is text: pg would JSON.parse a json column and round its numbers. */
interface PageRow { key: string; event: string }

// `id + 0` is the same order, but keeps the planner from walking the id index (pagePlan).
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
 * How a page is read. `walk`: newest first along the id index, stopping after limit + 1 matches.
 * `collect`: the whole time window gathered (BRIN on occurred_at, bitmaps of the other filters)
 * and sorted. `split`: a window ending in the past that is too wide to collect, behind a gap too
 * long to walk ("to only", monthly partitions) — see splitPage.
 *
 * The planner assumes matching rows are spread evenly over the id order, so for a window that
 * ends in the past it expects the walk to find 50 of them at once; but ids grow with time, so the
 * walk first passes every event between the window's end and the end of its partition (measured:
 * 30 s for a 1-hour window three weeks back in a monthly partition of 7 million events).
 * Collecting costs in proportion to the window instead. Every plan returns the same rows; this
 * only picks the cheapest, comparing time spans (events arrive at a roughly steady rate): what
 * would be collected against the gap the walk would cross. Windows that reach the present
 * (`window`, `from` alone) never cross one.
 */
export type PagePlan = { kind: 'walk' } | { kind: 'collect' } | { kind: 'split'; from?: Date; to: Date; gapMs: number };

/**
 * The gap counts WALK_COST times: per event passed, the walk costs about what the collect does
 * while the pages are in memory, but 6–8 times more when they must be read (it visits the heap
 * backwards, one page at a time in id order, where read-ahead cannot help; the collect reads
 * forward in block order, prefetched, on parallel workers). Measured on 144,000 events either way:
 * 54 / 51–63 ms in memory, 1.1–1.2 s / 0.15–0.20 s after a restart with the files out of the page
 * cache. A 24-hour window in the past, daily partitions, was walked at a p95 of 1.2 s that way.
 */
export const WALK_COST = 6;

/** The first slice a split page collects before `to`; doubled while it holds too few matches. */
export const SLICE_MS = 3_600_000;

export async function pagePlan(db: Queryable, filter: EventFilter, now: Date): Promise<PagePlan> {
  const from = windowFrom(filter, now);
  if (!filter.to || filter.to >= now) return { kind: 'walk' };
  const to = filter.to;
  // The walk starts at the newest event of the partition holding `to`; later ones are pruned.
  // (Whoever may read audit.events may call audit.partitions(): pgtrail_reader, the owner.)
  const { rows } = await db.query(
    `SELECT max(range_to) AS range_to FROM audit.partitions() WHERE NOT is_default AND range_from < $1::timestamptz AND range_to >= $1::timestamptz`,
    [to.toISOString()]);
  const end: Date = rows[0]?.range_to && rows[0].range_to < now ? rows[0].range_to : now;
  const gapMs = end.getTime() - to.getTime();
  const worthCollecting = (span: number) => span <= WALK_COST * gapMs;
  if (from && worthCollecting(to.getTime() - from.getTime())) return { kind: 'collect' };
  return worthCollecting(SLICE_MS) ? { kind: 'split', from, to, gapMs } : { kind: 'walk' };
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
 * read as pagePlan would have without the split. Measured at 10 million events, monthly partitions
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

export async function countEvents(db: Queryable, filter: EventFilter, now?: Date): Promise<Count> {
  const where = wherePredicate(filter, now, await predicateOptions(db, filter, now));
  const query = sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM audit.events WHERE ${where} LIMIT ${val(COUNT_CAP + 1, 'integer')}) AS capped`.toQuery();
  const { rows } = await db.query(query.text, query.values);
  const n: number = rows[0].n;
  return n > COUNT_CAP ? { count: COUNT_CAP, capped: true } : { count: n, capped: false };
}

function rawJson() {
  return raw(EVENT_JSON);
}
