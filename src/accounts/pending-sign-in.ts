// The pending sign-in between the password and the second factor: a short-lived token, signed with
// the server secret, that says "this browser gave user N's password at time T". It is bound to the
// user's current password hash, so a password change or reset in between voids it. It grants
// nothing but the second-factor form; the session is made only after the code.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isBigintId } from '../db/ids.ts';

export const PENDING_TTL_MS = 5 * 60_000;

function signature(secret: string, payload: string, passwordHash: string): Buffer {
  const binding = createHash('sha256').update(passwordHash).digest('base64url');
  return createHmac('sha256', secret).update(`pgtrail pending sign-in v1\n${payload}\n${binding}`).digest();
}

export function signPending(secret: string, user: { id: string; password_hash: string }, now: Date, ttlMs = PENDING_TTL_MS): string {
  const payload = `${user.id}.${now.getTime() + ttlMs}.${randomBytes(9).toString('base64url')}`;
  return `${payload}.${signature(secret, payload, user.password_hash).toString('base64url')}`;
}

/** The user id a token names, if it is shaped like one and has not expired (not yet verified). */
export function pendingUserId(token: string | undefined, now: Date): string | null {
  const m = /^(\d+)\.(\d{1,15})\.[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}$/.exec(token ?? '');
  if (!m || !isBigintId(m[1]) || Number(m[2]) <= now.getTime()) return null;
  return m[1];
}

/** True when the token was signed by this server for this user's current password. */
export function verifyPending(secret: string, token: string, passwordHash: string): boolean {
  const cut = token.lastIndexOf('.');
  const given = Buffer.from(token.slice(cut + 1), 'base64url');
  const expected = signature(secret, token.slice(0, cut), passwordHash);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
