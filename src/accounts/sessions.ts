// Server-side sessions. The browser holds a random token; the table holds its SHA-256, the user,
// a per-session CSRF token and two expiries: absolute (expires_at) and idle (last_seen_at).
// A session may be gated: its user must choose a new password (after an admin's reset) or enrol a
// second factor (their role requires one) before anything else; the gate is read from the user on
// every request, so it lifts the moment the user has done it.
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Principal } from './roles.ts';

export interface SessionPolicy {
  /** Absolute lifetime from sign-in. */
  ttlMs: number;
  /** Ends after this long without a request. */
  idleMs: number;
}

export type Factor = 'password' | 'totp' | 'recovery_code';
export type SessionGate = 'change_password' | 'enrol_2fa';

export interface Session {
  principal: Principal;
  csrfToken: string;
  /** console.sessions.id: how lists and "end" buttons name it. */
  id: string;
  gate?: SessionGate;
}

export interface SessionInfo {
  id: string;
  user_id: string;
  email: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
  factors: Factor[];
}

const hashToken = (token: string) => createHash('sha256').update(token).digest();

export async function createSession(db: pg.ClientBase | pg.Pool, userId: string, policy: SessionPolicy, now: Date,
  request: { ip?: string; userAgent?: string }, factors: Factor[] = ['password']): Promise<{ token: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await db.query(
    `INSERT INTO console.sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent, factors)
     VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)`,
    [hashToken(token), userId, csrfToken, now, new Date(now.getTime() + policy.ttlMs), request.ip ?? null, request.userAgent?.slice(0, 1024) ?? null, factors]);
  // Expired sessions are swept on sign-in; nothing else needs them.
  await db.query('DELETE FROM console.sessions WHERE expires_at <= $1 OR last_seen_at <= $2', [now, new Date(now.getTime() - policy.idleMs)]);
  return { token, csrfToken };
}

/** The live session for a cookie token, or null; refreshes last_seen_at at most once a minute. */
export async function resolveSession(db: pg.Pool, token: string, policy: SessionPolicy, now: Date): Promise<Session | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const { rows } = await db.query(
    `SELECT u.id::text AS id, u.email, u.role, s.csrf_token, s.last_seen_at, s.id::text AS session_id, u.must_change_password,
            coalesce(p.require_2fa, false) AND t.confirmed_at IS NULL AS must_enrol
       FROM console.sessions s JOIN console.users u ON u.id = s.user_id
       LEFT JOIN console.role_policies p ON p.role = u.role
       LEFT JOIN console.user_totp t ON t.user_id = u.id
      WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.disabled_at IS NULL`,
    [hashToken(token), now, new Date(now.getTime() - policy.idleMs)]);
  const row = rows[0];
  if (!row) return null;
  if (now.getTime() - (row.last_seen_at as Date).getTime() > 60_000) {
    await db.query('UPDATE console.sessions SET last_seen_at = $2 WHERE token_hash = $1', [hashToken(token), now]);
  }
  const gate: SessionGate | undefined = row.must_change_password ? 'change_password' : row.must_enrol ? 'enrol_2fa' : undefined;
  return { principal: { kind: 'user', id: row.id, name: row.email, role: row.role }, csrfToken: row.csrf_token, id: row.session_id, gate };
}

export async function deleteSession(db: pg.ClientBase | pg.Pool, token: string): Promise<void> {
  await db.query('DELETE FROM console.sessions WHERE token_hash = $1', [hashToken(token)]);
}

/** A user's live sessions (or everyone's, for admins), newest first. */
export async function listSessions(db: pg.ClientBase | pg.Pool, policy: SessionPolicy, now: Date, userId?: string): Promise<SessionInfo[]> {
  const { rows } = await db.query(
    `SELECT s.id::text, s.user_id::text, u.email, s.created_at, s.last_seen_at, s.expires_at, host(s.ip) AS ip, s.user_agent, s.factors
       FROM console.sessions s JOIN console.users u ON u.id = s.user_id
      WHERE s.expires_at > $1 AND s.last_seen_at > $2 AND ($3::bigint IS NULL OR s.user_id = $3::bigint)
      ORDER BY s.last_seen_at DESC, s.id DESC`,
    [now, new Date(now.getTime() - policy.idleMs), userId ?? null]);
  return rows;
}

/** Ends one session by its id (of `userId` only, when given); the ended session, or null. */
export async function endSession(db: pg.ClientBase, sessionId: string, userId?: string): Promise<SessionInfo | null> {
  const { rows } = await db.query(
    `DELETE FROM console.sessions s USING console.users u
      WHERE u.id = s.user_id AND s.id = $1::bigint AND ($2::bigint IS NULL OR s.user_id = $2::bigint)
      RETURNING s.id::text, s.user_id::text, u.email, s.created_at, s.last_seen_at, s.expires_at, host(s.ip) AS ip, s.user_agent, s.factors`,
    [sessionId, userId ?? null]);
  return rows[0] ?? null;
}

/** Ends every session of a user except `keepId` (when given); how many ended. */
export async function endUserSessions(db: pg.ClientBase, userId: string, keepId?: string): Promise<number> {
  const result = await db.query('DELETE FROM console.sessions WHERE user_id = $1::bigint AND ($2::bigint IS NULL OR id <> $2::bigint)', [userId, keepId ?? null]);
  return result.rowCount ?? 0;
}
