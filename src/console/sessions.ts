// Server-side sessions. The browser holds a random token; the table holds its SHA-256, the user,
// a per-session CSRF token and two expiries: absolute (expires_at) and idle (last_seen_at).
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Principal } from '../server/auth/principal.ts';

export interface SessionPolicy {
  /** Absolute lifetime from sign-in. */
  ttlMs: number;
  /** Ends after this long without a request. */
  idleMs: number;
}

export interface Session {
  principal: Principal;
  csrfToken: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest();

export async function createSession(db: pg.ClientBase | pg.Pool, userId: string, policy: SessionPolicy, now: Date,
  request: { ip?: string; userAgent?: string }): Promise<{ token: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await db.query(
    `INSERT INTO console.sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`,
    [hashToken(token), userId, csrfToken, now, new Date(now.getTime() + policy.ttlMs), request.ip ?? null, request.userAgent?.slice(0, 1024) ?? null]);
  // Expired sessions are swept on sign-in; nothing else needs them.
  await db.query('DELETE FROM console.sessions WHERE expires_at <= $1 OR last_seen_at <= $2', [now, new Date(now.getTime() - policy.idleMs)]);
  return { token, csrfToken };
}

/** The live session for a cookie token, or null; refreshes last_seen_at at most once a minute. */
export async function resolveSession(db: pg.Pool, token: string, policy: SessionPolicy, now: Date): Promise<Session | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const { rows } = await db.query(
    `SELECT u.id::text AS id, u.email, u.role, s.csrf_token, s.last_seen_at
       FROM console.sessions s JOIN console.users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3`,
    [hashToken(token), now, new Date(now.getTime() - policy.idleMs)]);
  const row = rows[0];
  if (!row) return null;
  if (now.getTime() - (row.last_seen_at as Date).getTime() > 60_000) {
    await db.query('UPDATE console.sessions SET last_seen_at = $2 WHERE token_hash = $1', [hashToken(token), now]);
  }
  return { principal: { kind: 'user', id: row.id, name: row.email, role: row.role }, csrfToken: row.csrf_token };
}

export async function deleteSession(db: pg.ClientBase | pg.Pool, token: string): Promise<void> {
  await db.query('DELETE FROM console.sessions WHERE token_hash = $1', [hashToken(token)]);
}
