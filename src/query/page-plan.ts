// How a page of events is read (walk / collect / split), chosen from the window and the partition
// that holds its end. The partition lookup is one of the catalog reads planQuery makes.
import type { Queryable } from '../db/queryable.ts';
import type { QueryWindow } from './window.ts';

/**
 * How a page is read. `walk`: newest first along the id index, stopping after limit + 1 matches.
 * `collect`: the whole time window gathered (BRIN on occurred_at, bitmaps of the other filters)
 * and sorted. `split`: a window ending in the past that is too wide to collect, behind a gap too
 * long to walk ("to only", monthly partitions) — see splitPage in src/query/list.ts.
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

/**
 * The end of the (non-default) partition holding `to`, or undefined: the walk starts at that
 * partition's newest event, later ones being pruned. (Whoever may read audit.events may call
 * audit.partitions(): pgtrail_reader, the owner.)
 */
export async function partitionEnd(db: Queryable, to: Date): Promise<Date | undefined> {
  const { rows } = await db.query(
    `SELECT max(range_to) AS range_to FROM audit.partitions() WHERE NOT is_default AND range_from < $1::timestamptz AND range_to >= $1::timestamptz`,
    [to.toISOString()]);
  return rows[0]?.range_to ?? undefined;
}

/** Only a window ending in the past needs the partition lookup; the others are walked. */
export function needsPartitionEnd(window: QueryWindow): boolean {
  return window.past;
}

export function choosePagePlan(window: QueryWindow, partitionEnds: Date | undefined, now: Date): PagePlan {
  if (!window.past) return { kind: 'walk' };
  const to = window.end;
  const end = partitionEnds && partitionEnds < now ? partitionEnds : now;
  const gapMs = end.getTime() - to.getTime();
  const worthCollecting = (span: number) => span <= WALK_COST * gapMs;
  if (window.from && worthCollecting(window.spanMs)) return { kind: 'collect' };
  return worthCollecting(SLICE_MS) ? { kind: 'split', from: window.from, to, gapMs } : { kind: 'walk' };
}
