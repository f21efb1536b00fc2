// Recovery codes: ten per enrolment, shown once, stored as scrypt hashes. Each code is 50 random
// bits (ten base32 characters, shown as xxxxx-xxxxx); all of a user's codes share one random salt
// (console.user_totp.recovery_salt), so checking a typed code costs one scrypt, not ten.
import { randomBytes } from 'node:crypto';
import { deriveKey } from './passwords.ts';
import { base32Encode } from './totp.ts';

const RECOVERY_CODE_COUNT = 10;

export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const text = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase();
    return `${text.slice(0, 5)}-${text.slice(5)}`;
  });
}

/** A typed code in its stored form: lower case, no spaces or dashes; null when it cannot be one. */
export function normalizeRecoveryCode(raw: string): string | null {
  const code = raw.replace(/[\s-]/g, '').toLowerCase();
  return /^[a-z2-7]{10}$/.test(code) ? code : null;
}

export function hashRecoveryCode(code: string, salt: Buffer): Promise<Buffer> {
  return deriveKey(code.replace(/-/g, ''), salt);
}
