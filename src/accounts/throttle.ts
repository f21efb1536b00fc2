// Sign-in throttling: failures are counted per email and per client IP inside a window; a key with
// too many is locked for a while, and the sign-in is refused without looking at the password.
import type pg from 'pg';

export interface ThrottlePolicy {
  /** Failures per email inside the window before that email is locked. */
  maxPerEmail: number;
  /** Failures per IP inside the window before that IP is locked (higher: offices share addresses). */
  maxPerIp: number;
  windowMs: number;
  lockMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { maxPerEmail: 5, maxPerIp: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

export function throttleKeys(email: string, ip: string | undefined): { email: string; ip?: string } {
  return { email: `email:${email.trim().toLowerCase()}`, ip: ip ? `ip:${ip}` : undefined };
}

/** When the sign-in may be tried again, if any of the keys is locked now. */
export async function lockedUntil(db: pg.Pool | pg.ClientBase, keys: string[], now: Date): Promise<Date | null> {
  const { rows } = await db.query(
    'SELECT max(locked_until) AS until FROM console.sign_in_failures WHERE key = ANY($1) AND locked_until > $2', [keys, now]);
  return rows[0].until ?? null;
}

/** Counts a failure for each key (restarting a count whose window passed); locks at the limit. */
export async function recordFailure(db: pg.Pool | pg.ClientBase, keys: Array<[string, number]>, policy: ThrottlePolicy, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - policy.windowMs);
  const lockEnd = new Date(now.getTime() + policy.lockMs);
  for (const [key, max] of keys) {
    await db.query(
      `INSERT INTO console.sign_in_failures AS f (key, failures, first_failed_at) VALUES ($1, 1, $2)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN f.first_failed_at < $3 THEN 1 ELSE f.failures + 1 END,
         first_failed_at = CASE WHEN f.first_failed_at < $3 THEN $2 ELSE f.first_failed_at END`,
      [key, now, windowStart]);
    await db.query(`UPDATE console.sign_in_failures SET locked_until = $3 WHERE key = $1 AND failures >= $2`, [key, max, lockEnd]);
  }
}

export async function clearFailures(db: pg.Pool | pg.ClientBase, key: string): Promise<void> {
  await db.query('DELETE FROM console.sign_in_failures WHERE key = $1', [key]);
}
