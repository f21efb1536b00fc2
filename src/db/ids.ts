/**
 * The one test of an id typed by a user or carried in a URL or cursor: event, transaction, user,
 * token and session ids are bigint columns, so a whole number from 0 to 2^63 − 1, digits only (no
 * sign, no spaces). Checked before it reaches SQL, so a bad id is a 400 saying so, never a 22003.
 */
export function isBigintId(text: string): boolean {
  return /^\d{1,19}$/.test(text) && BigInt(text) <= 9223372036854775807n;
}
