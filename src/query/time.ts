// The one parser of the times people type into filters, the as-of view and the CLI: an ISO 8601
// date, or a date and time with an optional zone (none means UTC), validated strictly (a real
// calendar date, hour ≤ 23, minutes and seconds ≤ 59, an offset within ±15:59) and kept to the
// microsecond. What a date alone means is the caller's rule: the start of that day for `from`,
// the whole day for `to` (src/query/filter.ts), the end of it for as-of (src/query/record/time.ts).
import { UserError } from '../db/errors.ts';

export interface IsoTime {
  /** Normalised UTC text with microseconds (`YYYY-MM-DDTHH:MM:SS.ffffffZ`): what SQL compares with. */
  iso: string;
  /** The instant to the millisecond (a Date keeps no more): ordering, windows, display. */
  at: Date;
  /** The text was a date alone; `at` is then midnight UTC of it. */
  dateOnly: boolean;
}

const DATE_ONLY = /^(?!0000)(\d{4})-(\d{2})-(\d{2})$/; // PostgreSQL has no year 0
const DATE_TIME = /^(?!0000)(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const TIME_EXAMPLE = 'use ISO 8601, e.g. 2026-11-24, 2026-11-24T09:30:00Z or 2026-11-24T09:30:00.123456+01:00';

/** `fail` turns a reason into the caller's error (a FilterError naming the field, or a UserError). */
export type TimeError = (message: string) => Error;

export const userTimeError = (field: string): TimeError => (message) => new UserError(`${field}: ${message}`);

export function parseIsoTime(raw: string, fail: TimeError): IsoTime {
  if (raw.includes('\0') || raw.length > 64) throw fail(`"${raw.slice(0, 40)}" is not a date or time; ${TIME_EXAMPLE}`);
  // A `+02:00` typed into a URL by hand arrives as ` 02:00` (a query-string `+` is a space).
  const value = raw.trim().replace(/(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$/i, '$1+$2');
  if (DATE_ONLY.test(value)) {
    const day = calendarDay(value, fail);
    return { iso: `${day.toISOString().slice(0, 19)}.000000Z`, at: day, dateOnly: true };
  }
  const m = DATE_TIME.exec(value);
  if (!m) throw fail(`"${value.slice(0, 40)}" is not a date or time; ${TIME_EXAMPLE}`);
  const [, date, hh, mm, ss = '00', fraction = '', zone = 'Z'] = m;
  calendarDay(date, fail);
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) throw fail(`"${value}" is not a valid time of day`);
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  if (offset !== 'Z' && (Number(offset.slice(1, 3)) > 15 || Number(offset.slice(4, 6)) > 59)) throw fail(`"${zone}" is not a time zone offset`);
  const whole = new Date(`${date}T${hh}:${mm}:${ss}${offset}`);
  if (Number.isNaN(whole.getTime())) throw fail(`"${value}" is not a valid time`);
  // An offset can carry 0001-01-01 into year 0 or 9999-12-31 into 10000: PostgreSQL has neither.
  const year = whole.getUTCFullYear();
  if (year < 1 || year > 9999) throw fail(`"${value}" is outside the years 0001 to 9999 in UTC`);
  const micros = fraction.padEnd(6, '0');
  return {
    iso: `${whole.toISOString().slice(0, 19)}.${micros}Z`,
    at: new Date(whole.getTime() + Number(micros.slice(0, 3))),
    dateOnly: false,
  };
}

function calendarDay(value: string, fail: TimeError): Date {
  const day = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) throw fail(`"${value}" is not a calendar date`);
  return day;
}
