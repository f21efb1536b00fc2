// The time window a filter covers, derived once per request (planQuery): where it starts, where it
// ends, how long it is. Every consumer (page plan, search index, hint, activity bars) reads these
// instead of working them out again from `window`, `from`, `to` and the clock.
import { windowFrom, type EventFilter } from './filter.ts';

export interface QueryWindow {
  /** The start: `now` minus a relative `window`, or `from`; absent when the window has no start. */
  from?: Date;
  /** The filter's exclusive upper bound, as given (it may lie in the future). */
  to?: Date;
  /**
   * Where the recorded events of the window end: `to` when it lies in the past, else `now`
   * (nothing is recorded after now, so a future `to` changes no result).
   */
  end: Date;
  /** end − from; Infinity without a start. */
  spanMs: number;
  /** The window ends before `now`: a page of it starts in the past (the page plan). */
  past: boolean;
}

export function queryWindow(filter: Pick<EventFilter, 'window' | 'from' | 'to'>, now: Date): QueryWindow {
  const from = windowFrom(filter, now);
  const past = filter.to !== undefined && filter.to < now;
  const end = past ? filter.to! : now;
  return { from, to: filter.to, end, spanMs: from ? end.getTime() - from.getTime() : Infinity, past };
}
