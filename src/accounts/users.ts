// Console users: add, list, remove, set / change / reset a password, change a role, disable and
// enable, look up by email or id. Every change is recorded as an audit event (user.create,
// user.delete, user.set_password, auth.password_change, auth.password_reset, user.role_change,
// user.disable, user.enable) with whatever context the caller's transaction declared.
import type pg from 'pg';
import { SqlState, UserError, sqlState } from '../db/errors.ts';
import { parseRole, type Role } from './roles.ts';
import { checkNewPassword, checkPasswordStrength, generatePassword, hashPassword, verifyPassword } from './passwords.ts';
import { endUserSessions } from './sessions.ts';
import { isBigintId } from '../db/ids.ts';

export interface ConsoleUser {
  id: string;
  email: string;
  role: Role;
  created_at: Date;
  last_sign_in_at: Date | null;
  disabled_at: Date | null;
  must_change_password: boolean;
  /** A confirmed TOTP second factor. */
  two_factor: boolean;
}

const COLUMNS = `u.id::text, u.email, u.role, u.created_at, u.last_sign_in_at, u.disabled_at, u.must_change_password,
  EXISTS (SELECT 1 FROM console.user_totp t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) AS two_factor`;
const WHERE_USER = (byId: boolean) => (byId ? 'u.id = $1::bigint' : 'lower(u.email) = lower($1)');
const isId = isBigintId;

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function checkEmail(email: string): string {
  const value = email.trim();
  if (!EMAIL.test(value) || Buffer.byteLength(value) > 320 || value.includes('\0')) throw new UserError(`email: "${value.slice(0, 80)}" is not an email address`);
  return value;
}

/** Role names are checked in one place (roles.ts). */
export const checkRole = parseRole;

/** Adds a user inside the caller's transaction (which carries the audit context). */
export async function addUser(db: pg.ClientBase, email: string, role: string, password: string): Promise<ConsoleUser> {
  const address = checkEmail(email);
  const checkedRole = checkRole(role);
  checkPasswordStrength(password);
  const hash = await hashPassword(password);
  try {
    await db.query('SAVEPOINT add_user');
    const { rows } = await db.query(
      `INSERT INTO console.users (email, role, password_hash) VALUES ($1, $2, $3)
       RETURNING id::text, email, role, created_at, last_sign_in_at, disabled_at, must_change_password, false AS two_factor`, [address, checkedRole, hash]);
    await db.query(`SELECT audit.log_event('user.create', 'console.user', $1, jsonb_build_object('email', $2::text, 'role', $3::text))`,
      [rows[0].id, address, checkedRole]);
    return rows[0];
  } catch (error) {
    if (sqlState(error) === SqlState.uniqueViolation) {
      await db.query('ROLLBACK TO SAVEPOINT add_user');
      throw new UserError(`email: a user ${address} already exists`);
    }
    throw error;
  }
}

export async function listUsers(db: pg.ClientBase | pg.Pool): Promise<ConsoleUser[]> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM console.users u ORDER BY lower(u.email)`);
  return rows;
}

export async function getUser(db: pg.ClientBase | pg.Pool, idOrEmail: string): Promise<ConsoleUser | null> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM console.users u WHERE ${WHERE_USER(isId(idOrEmail))}`, [idOrEmail]);
  return rows[0] ?? null;
}

/** Removes a user (by id or email); their sessions go with them. Returns the removed user or null. */
export async function removeUser(db: pg.ClientBase, idOrEmail: string): Promise<ConsoleUser | null> {
  const user = await getUser(db, idOrEmail);
  if (!user) return null;
  const { rows } = await db.query(
    `DELETE FROM console.users u WHERE u.id = $1::bigint
     RETURNING id::text, email, role, created_at, last_sign_in_at, disabled_at, must_change_password, $2::boolean AS two_factor`, [user.id, user.two_factor]);
  if (rows[0]) {
    await db.query(`SELECT audit.log_event('user.delete', 'console.user', $1, jsonb_build_object('email', $2::text))`, [rows[0].id, rows[0].email]);
  }
  return rows[0] ?? null;
}

/**
 * Sets a new password inside the caller's transaction and ends the user's sessions (whoever held
 * the old password is signed out). Returns the user, or null when there is no such user.
 */
export async function setPassword(db: pg.ClientBase, idOrEmail: string, password: string): Promise<ConsoleUser | null> {
  checkPasswordStrength(password);
  const user = await storePassword(db, idOrEmail, await hashPassword(password), false);
  if (!user) return null;
  const ended = await endUserSessions(db, user.id);
  await db.query(`SELECT audit.log_event('user.set_password', 'console.user', $1, jsonb_build_object('email', $2::text, 'sessions_ended', $3::int))`,
    [user.id, user.email, ended]);
  return user;
}

async function storePassword(db: pg.ClientBase, idOrEmail: string, hash: string, mustChange: boolean): Promise<ConsoleUser | null> {
  const { rows } = await db.query(
    `UPDATE console.users u SET password_hash = $2, must_change_password = $3, password_changed_at = now() WHERE ${WHERE_USER(isId(idOrEmail))}
     RETURNING ${COLUMNS}`, [idOrEmail, hash, mustChange]);
  return rows[0] ?? null;
}

/**
 * The user's own change: the current password must match, the new one is checked for length and
 * against the email; every other session of theirs ends (`keepSessionId` stays). Throws a
 * UserError saying which check failed.
 */
export async function changeOwnPassword(db: pg.ClientBase, userId: string, current: string, next: string, keepSessionId?: string): Promise<ConsoleUser> {
  const { rows } = await db.query('SELECT email, password_hash FROM console.users WHERE id = $1::bigint', [userId]);
  if (!rows[0] || !(await verifyPassword(current, rows[0].password_hash))) throw new UserError('current password: that is not your current password');
  checkNewPassword(next, rows[0].email);
  if (await verifyPassword(next, rows[0].password_hash)) throw new UserError('password: the new password must differ from the current one');
  const user = (await storePassword(db, userId, await hashPassword(next), false))!;
  const ended = await endUserSessions(db, userId, keepSessionId);
  await db.query(`SELECT audit.log_event('auth.password_change', 'console.user', $1, jsonb_build_object('email', $2::text, 'sessions_ended', $3::int))`,
    [user.id, user.email, ended]);
  return user;
}

/**
 * An admin's (or the DBA's) reset: a generated temporary password, which the user must replace at
 * their next sign-in; their sessions end. Returns the user and the temporary password (shown once).
 */
export async function resetPassword(db: pg.ClientBase, idOrEmail: string): Promise<{ user: ConsoleUser; password: string } | null> {
  const password = generatePassword();
  const user = await storePassword(db, idOrEmail, await hashPassword(password), true);
  if (!user) return null;
  const ended = await endUserSessions(db, user.id);
  await db.query(`SELECT audit.log_event('auth.password_reset', 'console.user', $1, jsonb_build_object('email', $2::text, 'sessions_ended', $3::int))`,
    [user.id, user.email, ended]);
  return { user, password };
}

/** Never leave the console without an enabled admin: call after a change, inside its transaction. */
async function assertAnAdminRemains(db: pg.ClientBase): Promise<void> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM console.users WHERE role = 'admin' AND disabled_at IS NULL`);
  if (rows[0].n === 0) throw new UserError('That is the last admin who can sign in; make another user an admin first.');
}

export async function changeRole(db: pg.ClientBase, userId: string, role: string): Promise<{ user: ConsoleUser; from: Role } | null> {
  const to = checkRole(role);
  const before = await getUser(db, userId);
  if (!before) return null;
  if (before.role === to) return { user: before, from: before.role };
  const { rows } = await db.query(`UPDATE console.users u SET role = $2 WHERE u.id = $1::bigint RETURNING ${COLUMNS}`, [userId, to]);
  await assertAnAdminRemains(db);
  await db.query(`SELECT audit.log_event('user.role_change', 'console.user', $1, jsonb_build_object('email', $2::text, 'from', $3::text, 'to', $4::text))`,
    [userId, before.email, before.role, to]);
  return { user: rows[0], from: before.role };
}

/** Disables (their sessions end, sign-in is refused) or enables a user: user.disable / user.enable. */
export async function setDisabled(db: pg.ClientBase, userId: string, disabled: boolean): Promise<{ user: ConsoleUser; sessionsEnded: number } | null> {
  const { rows } = await db.query(
    `UPDATE console.users u SET disabled_at = CASE WHEN $2 THEN coalesce(u.disabled_at, now()) END WHERE u.id = $1::bigint RETURNING ${COLUMNS}`,
    [userId, disabled]);
  if (!rows[0]) return null;
  const ended = disabled ? await endUserSessions(db, userId) : 0;
  if (disabled) await assertAnAdminRemains(db);
  await db.query(`SELECT audit.log_event($1, 'console.user', $2, jsonb_build_object('email', $3::text, 'sessions_ended', $4::int))`,
    [disabled ? 'user.disable' : 'user.enable', userId, rows[0].email, ended]);
  return { user: rows[0], sessionsEnded: ended };
}

/** Admins who can sign in (role admin, not disabled). */
export async function countAdmins(db: pg.ClientBase | pg.Pool): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM console.users WHERE role = 'admin' AND disabled_at IS NULL`);
  return rows[0].n;
}

export type SignInUser = ConsoleUser & { password_hash: string };

export async function findUserForSignIn(db: pg.ClientBase | pg.Pool, email: string): Promise<SignInUser | null> {
  const { rows } = await db.query(`SELECT ${COLUMNS}, u.password_hash FROM console.users u WHERE lower(u.email) = lower($1)`, [email]);
  return rows[0] ?? null;
}

export async function findUserById(db: pg.ClientBase | pg.Pool, id: string): Promise<SignInUser | null> {
  const { rows } = await db.query(`SELECT ${COLUMNS}, u.password_hash FROM console.users u WHERE u.id = $1::bigint`, [id]);
  return rows[0] ?? null;
}
