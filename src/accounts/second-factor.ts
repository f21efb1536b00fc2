// The TOTP second factor in the database: enrolment (a sealed secret waiting for its first code,
// then confirmed with ten recovery codes), checking a code at sign-in (replay refused), recovery
// codes (once each), removal, and the per-role requirement. Events are logged by the callers'
// routes, which know who acted; the functions here say what happened.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import type { Role } from './roles.ts';
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes.ts';
import { open, seal } from './secret-box.ts';
import { generateTotpSecret, matchStep, normalizeCode } from './totp.ts';

type Db = pg.ClientBase | pg.Pool;

/** How long a started enrolment waits for its first code. */
export const ENROLMENT_TTL_MS = 10 * 60_000;

export interface TwoFactorState {
  enrolled: boolean;
  /** A started enrolment that has not expired: its secret, for the QR code and the typed form. */
  pending?: { secret: Buffer; startedAt: Date };
  recoveryCodesLeft: number;
}

export async function twoFactorState(db: Db, key: Buffer | undefined, userId: string, now: Date): Promise<TwoFactorState> {
  const { rows } = await db.query(
    `SELECT t.secret_sealed, t.created_at, t.confirmed_at,
            (SELECT count(*)::int FROM console.recovery_codes r WHERE r.user_id = t.user_id AND r.used_at IS NULL) AS left
       FROM console.user_totp t WHERE t.user_id = $1::bigint`, [userId]);
  const row = rows[0];
  if (!row) return { enrolled: false, recoveryCodesLeft: 0 };
  if (row.confirmed_at) return { enrolled: true, recoveryCodesLeft: row.left };
  const fresh = now.getTime() - (row.created_at as Date).getTime() < ENROLMENT_TTL_MS;
  const secret = fresh && key ? open(key, row.secret_sealed, userId) : null;
  return { enrolled: false, pending: secret ? { secret, startedAt: row.created_at } : undefined, recoveryCodesLeft: 0 };
}

/** Starts (or restarts) an enrolment: a new secret, sealed; refused (false) when already enrolled. */
export async function startEnrolment(db: pg.ClientBase, key: Buffer, userId: string, now: Date): Promise<Buffer | null> {
  const secret = generateTotpSecret();
  const { rowCount } = await db.query(
    `INSERT INTO console.user_totp (user_id, secret_sealed, created_at, recovery_salt) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, created_at = EXCLUDED.created_at,
       recovery_salt = EXCLUDED.recovery_salt, last_used_step = NULL
     WHERE console.user_totp.confirmed_at IS NULL`,
    [userId, seal(key, secret, userId), now, randomBytes(16)]);
  return rowCount ? secret : null;
}

export type ConfirmResult =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; reason: 'no_enrolment' | 'expired' | 'wrong_code' };

/** Confirms a started enrolment with a code from the app; on success makes ten recovery codes. */
export async function confirmEnrolment(db: pg.ClientBase, key: Buffer, userId: string, rawCode: string, now: Date): Promise<ConfirmResult> {
  const { rows } = await db.query(
    'SELECT secret_sealed, created_at, recovery_salt FROM console.user_totp WHERE user_id = $1::bigint AND confirmed_at IS NULL FOR UPDATE', [userId]);
  const row = rows[0];
  if (!row) return { ok: false, reason: 'no_enrolment' };
  if (now.getTime() - (row.created_at as Date).getTime() >= ENROLMENT_TTL_MS) {
    await db.query('DELETE FROM console.user_totp WHERE user_id = $1::bigint AND confirmed_at IS NULL', [userId]);
    return { ok: false, reason: 'expired' };
  }
  const secret = open(key, row.secret_sealed, userId);
  const step = secret ? matchStep(secret, normalizeCode(rawCode), now.getTime()) : null;
  if (step === null) return { ok: false, reason: 'wrong_code' };
  const codes = generateRecoveryCodes();
  await db.query('UPDATE console.user_totp SET confirmed_at = $2, last_used_step = $3 WHERE user_id = $1::bigint', [userId, now, step]);
  await db.query('DELETE FROM console.recovery_codes WHERE user_id = $1::bigint', [userId]);
  for (const code of codes) {
    await db.query('INSERT INTO console.recovery_codes (user_id, code_hash) VALUES ($1, $2)', [userId, await hashRecoveryCode(code, row.recovery_salt)]);
  }
  return { ok: true, recoveryCodes: codes };
}

export type CheckResult =
  | { ok: true; factor: 'totp' | 'recovery_code'; recoveryCodesLeft?: number }
  | { ok: false; reason: 'wrong_code' | 'replayed_code' | 'used_recovery_code' | 'not_enrolled' };

/**
 * Checks the second step of a sign-in: a 6-digit code (accepted once: a step at or before the last
 * one used is a replay), or a recovery code (used up). Runs inside the caller's transaction.
 */
export async function checkSecondFactor(db: pg.ClientBase, key: Buffer | undefined, userId: string, raw: string, now: Date): Promise<CheckResult> {
  const { rows } = await db.query(
    'SELECT secret_sealed, last_used_step, recovery_salt FROM console.user_totp WHERE user_id = $1::bigint AND confirmed_at IS NOT NULL FOR UPDATE', [userId]);
  const row = rows[0];
  if (!row) return { ok: false, reason: 'not_enrolled' };
  const code = normalizeCode(raw);
  if (/^\d{6}$/.test(code)) {
    // Without the key (or under another one) no code can match; recovery codes still work.
    const secret = key ? open(key, row.secret_sealed, userId) : null;
    const step = secret ? matchStep(secret, code, now.getTime()) : null;
    if (step === null) return { ok: false, reason: 'wrong_code' };
    if (row.last_used_step !== null && step <= Number(row.last_used_step)) return { ok: false, reason: 'replayed_code' };
    await db.query('UPDATE console.user_totp SET last_used_step = $2 WHERE user_id = $1::bigint', [userId, step]);
    return { ok: true, factor: 'totp' };
  }
  const recovery = normalizeRecoveryCode(raw);
  if (!recovery) return { ok: false, reason: 'wrong_code' };
  const hash = await hashRecoveryCode(recovery, row.recovery_salt);
  const codes = await db.query('SELECT code_hash, used_at FROM console.recovery_codes WHERE user_id = $1::bigint', [userId]);
  const match = codes.rows.find((r) => timingSafeEqual(r.code_hash, hash));
  if (!match) return { ok: false, reason: 'wrong_code' };
  if (match.used_at) return { ok: false, reason: 'used_recovery_code' };
  await db.query('UPDATE console.recovery_codes SET used_at = $3 WHERE user_id = $1::bigint AND code_hash = $2', [userId, hash, now]);
  const left = codes.rows.filter((r) => !r.used_at).length - 1;
  return { ok: true, factor: 'recovery_code', recoveryCodesLeft: left };
}

export async function hasSecondFactor(db: Db, userId: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM console.user_totp WHERE user_id = $1::bigint AND confirmed_at IS NOT NULL', [userId]);
  return Boolean(rowCount);
}

/** Removes a user's second factor (and its recovery codes); true when there was a confirmed one. */
export async function removeSecondFactor(db: pg.ClientBase, userId: string): Promise<boolean> {
  const { rows } = await db.query('DELETE FROM console.user_totp WHERE user_id = $1::bigint RETURNING confirmed_at', [userId]);
  await db.query('DELETE FROM console.recovery_codes WHERE user_id = $1::bigint', [userId]);
  return Boolean(rows[0]?.confirmed_at);
}

export async function rolesRequiring2fa(db: Db): Promise<Role[]> {
  const { rows } = await db.query('SELECT role FROM console.role_policies WHERE require_2fa ORDER BY role');
  return rows.map((r) => r.role);
}

export async function roleRequires2fa(db: Db, role: Role): Promise<boolean> {
  const { rows } = await db.query('SELECT require_2fa FROM console.role_policies WHERE role = $1', [role]);
  return Boolean(rows[0]?.require_2fa);
}

/** Sets the requirement for a role; true when it changed. */
export async function setRoleRequires2fa(db: pg.ClientBase, role: Role, required: boolean): Promise<boolean> {
  if ((await roleRequires2fa(db, role)) === required) return false;
  await db.query(
    `INSERT INTO console.role_policies (role, require_2fa) VALUES ($1, $2) ON CONFLICT (role) DO UPDATE SET require_2fa = EXCLUDED.require_2fa`,
    [role, required]);
  return true;
}
