// What capture writes in place of a value it does not record in full: the one definition the
// renderer, the console, as-of and revert all read.

/** A redacted column's value in old_data / new_data (NULL stays NULL). */
export const REDACTED = '[redacted]';

/**
 * A value over --max-value-bytes: its size and md5, or, when an update left it alone,
 * `unchanged: true` without the md5 (it is in the event that wrote it).
 */
export interface OversizedMarker { $pgtrail: 'oversized'; bytes: number; md5?: string; unchanged?: boolean }

export function isOversized(value: unknown): value is OversizedMarker {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as Record<string, unknown>).$pgtrail === 'oversized';
}
