// Query-string rules shared by the JSON API and the export routes: unknown parameters are refused
// (a typo such as `actor_idd=…` must not silently widen an export to everything).
import { FilterError, FILTER_KEYS } from '../../query/filter.ts';

export const LIST_PARAMS: readonly string[] = [...FILTER_KEYS, 'limit', 'cursor'];
export const EXPORT_PARAMS: readonly string[] = [...FILTER_KEYS, 'raw'];

export function rejectUnknownParams(params: URLSearchParams, allowed: readonly string[]): void {
  for (const key of params.keys()) {
    if (!allowed.includes(key)) {
      throw new FilterError(key.slice(0, 40), allowed.length ? `is not a parameter here; use ${allowed.join(', ')}` : 'this route takes no parameters');
    }
  }
}

/** `raw=1` / `raw=true` (or 0 / false / absent): leave formula-like CSV cells unguarded. */
export function parseRaw(params: URLSearchParams): boolean {
  const all = params.getAll('raw');
  if (all.length > 1) throw new FilterError('raw', 'may be given only once');
  const value = all[0]?.trim().toLowerCase();
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new FilterError('raw', 'must be 1 or 0');
}

/** `limit`: 1-max, default `fallback`; anything else is a 400, never a silent clamp. */
export function parseLimit(params: URLSearchParams, fallback: number, max: number): number {
  const all = params.getAll('limit');
  if (all.length > 1) throw new FilterError('limit', 'may be given only once');
  if (all.length === 0 || all[0].trim() === '') return fallback;
  const value = all[0].trim();
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > max) throw new FilterError('limit', `must be a whole number from 1 to ${max}`);
  return Number(value);
}

/** `cursor`: opaque, from a previous page's next_cursor. */
export function parseCursor(params: URLSearchParams): string | undefined {
  const all = params.getAll('cursor');
  if (all.length > 1) throw new FilterError('cursor', 'may be given only once');
  return all[0]?.trim() || undefined;
}
