// The times "as of" takes: an ISO 8601 time or a date (src/query/time.ts, the one parser), kept to
// the microsecond. Event times carry microseconds (the event page links with its occurred_at) and
// a JavaScript Date keeps only milliseconds: `at=…T09:30:12.123456Z` read as a Date would end
// before the event it names. So the time stays text, normalised to `YYYY-MM-DDTHH:MM:SS.ffffffZ`,
// and reaches SQL as a timestamptz parameter. A date alone means the end of that day.
import { parseIsoTime, userTimeError } from '../time.ts';

export interface AsOfTime {
  /** Normalised UTC text with microseconds; what SQL compares with (occurred_at <= iso). */
  iso: string;
  /** A date alone means the end of that day (UTC): everything recorded on it is included. */
  dateOnly: boolean;
}

export function parseAsOfTime(field: string, raw: string): AsOfTime {
  const time = parseIsoTime(raw, userTimeError(field));
  if (!time.dateOnly) return { iso: time.iso, dateOnly: false };
  const end = new Date(time.at.getTime() + 86_400_000 - 1000);
  return { iso: `${end.toISOString().slice(0, 19)}.999999Z`, dateOnly: true };
}

/** A Date (e.g. now) as an AsOfTime. */
export function fromDate(date: Date): AsOfTime {
  return { iso: `${date.toISOString().slice(0, 23)}000Z`, dateOnly: false };
}
