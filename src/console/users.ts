// Console users: add, list, remove, set a password, look up by email. Every change is recorded as
// an audit event (user.create / user.delete / user.set_password) with whatever context the caller's
// transaction declared.
import type pg from 'pg';
import { UserError, sqlState } from '../db/errors.ts';
import { parseRole, type Role } from '../server/auth/principal.ts';
import { checkPasswordStrength, hashPassword } from './passwords.ts';

export interface ConsoleUser {
  id: string;
  email: string;
  role: Role;
  created_at: Date;
  last_sign_in_at: Date | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function checkEmail(email: string): string {
  const value = email.trim();
  if (!EMAIL.test(value) || Buffer.byteLength(value) > 320 || value.includes('\0')) throw new UserError(`email: "${value.slice(0, 80)}" is not an email address`);
  return value;
}

/** Role names are checked in one place (principal.ts). */
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
       RETURNING id::text, email, role, created_at, last_sign_in_at`, [address, checkedRole, hash]);
    await db.query(`SELECT audit.log_event('user.create', 'console.user', $1, jsonb_build_object('email', $2::text, 'role', $3::text))`,
      [rows[0].id, address, checkedRole]);
    return rows[0];
  } catch (error) {
    if (sqlState(error) === '23505') {
      await db.query('ROLLBACK TO SAVEPOINT add_user');
      throw new UserError(`email: a user ${address} already exists`);
    }
    throw error;
  }
}

export async function listUsers(db: pg.ClientBase | pg.Pool): Promise<ConsoleUser[]> {
  const { rows } = await db.query(`SELECT id::text, email, role, created_at, last_sign_in_at FROM console.users ORDER BY lower(email)`);
  return rows;
}

/** Removes a user (by id or email); their sessions go with them. Returns the removed user or null. */
export async function removeUser(db: pg.ClientBase, idOrEmail: string): Promise<ConsoleUser | null> {
  const byId = /^\d{1,18}$/.test(idOrEmail);
  const { rows } = await db.query(
    `DELETE FROM console.users WHERE ${byId ? 'id = $1::bigint' : 'lower(email) = lower($1)'}
     RETURNING id::text, email, role, created_at, last_sign_in_at`, [idOrEmail]);
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
  const hash = await hashPassword(password);
  const byId = /^\d{1,18}$/.test(idOrEmail);
  const { rows } = await db.query(
    `UPDATE console.users SET password_hash = $2 WHERE ${byId ? 'id = $1::bigint' : 'lower(email) = lower($1)'}
     RETURNING id::text, email, role, created_at, last_sign_in_at`, [idOrEmail, hash]);
  if (!rows[0]) return null;
  const ended = await db.query('DELETE FROM console.sessions WHERE user_id = $1::bigint', [rows[0].id]);
  await db.query(`SELECT audit.log_event('user.set_password', 'console.user', $1, jsonb_build_object('email', $2::text, 'sessions_ended', $3::int))`,
    [rows[0].id, rows[0].email, ended.rowCount ?? 0]);
  return rows[0];
}

export async function countAdmins(db: pg.ClientBase | pg.Pool): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM console.users WHERE role = 'admin'`);
  return rows[0].n;
}

export async function findUserForSignIn(db: pg.ClientBase | pg.Pool, email: string): Promise<(ConsoleUser & { password_hash: string }) | null> {
  const { rows } = await db.query(
    `SELECT id::text, email, role, created_at, last_sign_in_at, password_hash FROM console.users WHERE lower(email) = lower($1)`, [email]);
  return rows[0] ?? null;
}
