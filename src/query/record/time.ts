// The times "as of" takes: an ISO 8601 time or a date, kept to the microsecond. Event times carry
// microseconds (the event page links with its occurred_at) and a JavaScript Date keeps only
// milliseconds: `at=…T09:30:12.123456Z` read as a Date would end before the event it names.
// So the time stays text, validated here and normalised to `YYYY-MM-DDTHH:MM:SS.ffffffZ`, and
// reaches SQL as a timestamptz parameter.
import { UserError } from '../../db/errors.ts';

export interface AsOfTime {
  /** Normalised UTC text with microseconds; what SQL compares with (occurred_at <= iso). */
  iso: string;
  /** A date alone means the end of that day (UTC): everything recorded on it is included. */
  dateOnly: boolean;
}

const DATE_ONLY = /^(?!0000)(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(?!0000)(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const EXAMPLE = 'use ISO 8601, e.g. 2026-11-24, 2026-11-24T09:30:00Z or 2026-11-24T09:30:00.123456+01:00';

export function parseAsOfTime(field: string, raw: string): AsOfTime {
  if (raw.includes('\0') || raw.length > 64) throw new UserError(`${field}: "${raw.slice(0, 40)}" is not a date or time; ${EXAMPLE}`);
  // A `+02:00` typed into a URL by hand arrives as ` 02:00` (a query-string `+` is a space).
  const value = raw.trim().replace(/(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$/i, '$1+$2');
  if (DATE_ONLY.test(value)) {
    const day = calendarDay(field, value);
    const end = new Date(day.getTime() + 86_400_000 - 1000);
    return { iso: `${end.toISOString().slice(0, 19)}.999999Z`, dateOnly: true };
  }
  const m = DATE_TIME.exec(value);
  if (!m) throw new UserError(`${field}: "${value.slice(0, 40)}" is not a date or time; ${EXAMPLE}`);
  const [, date, hh, mm, ss = '00', fraction = '', zone = 'Z'] = m;
  calendarDay(field, date);
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) throw new UserError(`${field}: "${value}" is not a valid time of day`);
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  if (offset !== 'Z' && (Number(offset.slice(1, 3)) > 15 || Number(offset.slice(4, 6)) > 59)) throw new UserError(`${field}: "${zone}" is not a time zone offset`);
  const at = new Date(`${date}T${hh}:${mm}:${ss}${offset}`);
  if (Number.isNaN(at.getTime())) throw new UserError(`${field}: "${value}" is not a valid time`);
  return { iso: `${at.toISOString().slice(0, 19)}.${fraction.padEnd(6, '0')}Z`, dateOnly: false };
}

/** The time as a Date (milliseconds): for ordering and display only, never for SQL. */
export function asDate(time: AsOfTime): Date {
  return new Date(time.iso.slice(0, 23) + 'Z');
}

/** A Date (e.g. now) as an AsOfTime. */
export function fromDate(date: Date): AsOfTime {
  return { iso: `${date.toISOString().slice(0, 23)}000Z`, dateOnly: false };
}

function calendarDay(field: string, value: string): Date {
  const day = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) throw new UserError(`${field}: "${value}" is not a calendar date`);
  return day;
}
