// Console passwords: scrypt from node:crypto, stored as scrypt$N$r$p$salt$hash (base64url), so the
// cost can be raised later and old hashes still verify.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { UserError } from '../db/errors.ts';

const N = 16384;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
export const MIN_PASSWORD_LENGTH = 10;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** scrypt at the current cost, for secrets other than passwords (recovery codes). */
export function deriveKey(secret: string, salt: Buffer): Promise<Buffer> {
  return derive(secret, salt, { N, r: R, p: P });
}

export function checkPasswordStrength(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new UserError(`password: at least ${MIN_PASSWORD_LENGTH} characters`);
  if (Buffer.byteLength(password) > 1024) throw new UserError('password: at most 1024 bytes');
}

/** A new password: strong enough, and not the account's email or its name part. */
export function checkNewPassword(password: string, email: string): void {
  checkPasswordStrength(password);
  const typed = password.normalize('NFKC').trim().toLowerCase();
  const address = email.trim().toLowerCase();
  const name = address.split('@')[0];
  if (typed === address || typed.includes(address) || (name.length >= 4 && typed.includes(name))) {
    throw new UserError('password: must not contain your email address or its name part');
  }
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash nobody's password matches, verified against for unknown emails so timing says nothing. */
export const DUMMY_HASH = `scrypt$${N}$${R}$${P}$${'A'.repeat(22)}$${'A'.repeat(43)}`;

/** A readable random password for the first admin (printed once). */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
