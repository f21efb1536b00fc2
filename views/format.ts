// Small formatting helpers shared by the console's views. Times arrive as ISO 8601 UTC with `Z`.
import { stringifyExact } from '../src/query/exact-json.ts';

/** "2026-11-24 09:30:12 UTC" (seconds; the detail page shows the microseconds too). */
export function utc(iso: string, precise = false): string {
  const [date, time] = iso.replace('Z', '').split('T');
  return `${date} ${precise ? time : time.slice(0, 8)} UTC`;
}

export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** A JSON value as people read it in a table cell: strings bare, everything else as JSON, numbers as stored. */
export function display(value: unknown): string {
  if (typeof value === 'string') return value;
  return stringifyExact(value);
}

export { isOversized, REDACTED } from '../src/generator/markers.ts';

/** Query string without empty values, so shared links stay short. */
export function query(params: URLSearchParams, extra: Record<string, string | undefined> = {}): string {
  const out = new URLSearchParams();
  for (const [k, v] of params) if (v.trim() !== '' && !(k in extra)) out.append(k, v);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== '') out.set(k, v);
  const s = out.toString();
  return s ? `?${s}` : '';
}
