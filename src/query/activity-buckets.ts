// The histogram's time axis: which bucket size a span gets, and where the bars start and end.
// Pure, so the bucket rule is tested on its own (test/activity.test.ts).
//
// One rule for every window: the smallest step of the ladder that draws at most MAX_BARS bars.
// It gives 5-minute bars for the last hour (12), hours for 24 h (24), 6 hours for 7 days (28),
// days for 30 days (30). Bars are aligned to multiples of their step since the Unix epoch (UTC),
// so hour bars start on the hour and day bars at midnight UTC; the first and last bar are clipped
// to the window.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 7 * DAY, 30 * DAY, 90 * DAY, 365 * DAY];
const MAX_BARS = 48;
export const HOUR_MS = HOUR;
export const MINUTE_MS = MINUTE;

/** The bucket size for [from, to); never below `floor` (the rollup's grain is an hour). */
export function bucketSize(from: Date, to: Date, floor = MINUTE): number {
  for (const step of STEPS) {
    if (step < floor) continue;
    if (bars(from, to, step) <= MAX_BARS) return step;
  }
  return STEPS[STEPS.length - 1];
}

function bars(from: Date, to: Date, step: number): number {
  return Math.ceil((to.getTime() - alignDown(from.getTime(), step)) / step);
}

function alignDown(ms: number, step: number): number {
  return Math.floor(ms / step) * step;
}

export interface Bucket {
  /** Inclusive; the window's start for the first bar. */
  from: Date;
  /** Exclusive; the window's end for the last bar. */
  to: Date;
  count: number;
}

/**
 * Bars over [from, to) of `step`, each holding the counts of the grains (UTC minute or hour
 * starts, as epoch ms) that fall in it. Grains outside the range are a programming error upstream;
 * they are kept out rather than drawn in the wrong bar.
 */
export function toBuckets(from: Date, to: Date, step: number, grains: Map<number, number>): Bucket[] {
  const start = alignDown(from.getTime(), step);
  const n = Math.max(1, Math.ceil((to.getTime() - start) / step));
  const counts = new Array<number>(n).fill(0);
  for (const [at, count] of grains) {
    const i = Math.floor((Math.max(at, from.getTime()) - start) / step);
    if (i >= 0 && i < n) counts[i] += count;
  }
  return counts.map((count, i) => ({
    from: new Date(Math.max(start + i * step, from.getTime())),
    to: new Date(Math.min(start + (i + 1) * step, to.getTime())),
    count,
  }));
}
