// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP) with node:crypto's HMAC: a few
// lines, so no library. Authenticator apps expect SHA-1, 30-second steps and 6 digits; the other
// hashes are here for the RFC's test vectors.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

const STEP_SECONDS = 30;
const DIGITS = 6;
/** Steps either side of now that are still accepted (clock drift, a code typed as it turned). */
const WINDOW_STEPS = 1;

/** RFC 4226 §5.3: HMAC of the 8-byte big-endian counter, dynamic truncation, last `digits` digits. */
export function hotp(key: Buffer, counter: number | bigint, digits = DIGITS, algorithm: TotpAlgorithm = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The time step a moment falls in (RFC 6238 §4: T = floor((now - T0) / X), T0 = 0). */
export function stepAt(timeMs: number, stepSeconds = STEP_SECONDS): number {
  return Math.floor(timeMs / 1000 / stepSeconds);
}

export function totp(key: Buffer, timeMs: number, options: { digits?: number; algorithm?: TotpAlgorithm; stepSeconds?: number } = {}): string {
  return hotp(key, stepAt(timeMs, options.stepSeconds), options.digits ?? DIGITS, options.algorithm ?? 'sha1');
}

/**
 * The step whose code `code` is, within ±WINDOW_STEPS of `timeMs`, or null. Every candidate is
 * compared (no early exit), each in constant time, so the answer's timing says nothing about which.
 * The caller refuses a step at or below the last one used (replay).
 */
export function matchStep(key: Buffer, code: string, timeMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const now = stepAt(timeMs);
  let found: number | null = null;
  for (let step = now - WINDOW_STEPS; step <= now + WINDOW_STEPS; step++) {
    if (timingSafeEqual(Buffer.from(hotp(key, step)), Buffer.from(code)) && found === null) found = step;
  }
  return found;
}

/** A code as people type it: spaces and dashes dropped ("123 456"). */
export function normalizeCode(raw: string): string {
  return raw.replace(/[\s-]/g, '');
}

/** 160 random bits, the size RFC 4226 recommends for HMAC-SHA-1. */
export function generateTotpSecret(): Buffer {
  return randomBytes(20);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding: how authenticator apps take a typed secret. */
export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`base32: "${char}" is not a base32 character`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/**
 * The otpauth:// URI the QR code carries (Key Uri Format: issuer prefix and parameter). SHA-1, 6
 * digits and 30 s are the format's defaults, so they are left out: a shorter URI is a smaller QR
 * code, easier to scan.
 */
export function otpauthUri(secret: Buffer, account: string, issuer = 'pgtrail'): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = new URLSearchParams({ secret: base32Encode(secret), issuer });
  return `otpauth://totp/${label}?${params}`;
}
