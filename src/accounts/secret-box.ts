// Encrypting the TOTP secrets at rest: AES-256-GCM from node:crypto, with a key that never enters
// the database (totp-key.ts), so a dump of console.user_totp alone cannot mint codes. The sealed
// form is text: v1.<iv>.<ciphertext>.<tag>, base64url. The user's id is the additional data, so a
// sealed secret copied onto another user's row does not open.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** The AES key for TOTP secrets, derived from the configured key material (32 bytes or more). */
export function deriveTotpKey(material: Buffer): Buffer {
  if (material.length < 32) throw new Error('the 2FA key must have at least 32 bytes');
  return Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'pgtrail totp secret v1', 32));
}

export function seal(key: Buffer, plaintext: Buffer, additionalData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(additionalData));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return ['v1', iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** The plaintext, or null when it does not open (another key, another user, altered). */
export function open(key: Buffer, sealed: string, additionalData: string): Buffer | null {
  const [version, iv, body, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || !body || !tag) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(additionalData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
  } catch {
    return null;
  }
}
