// Where the key that encrypts TOTP secrets comes from: PGTRAIL_TOTP_KEY (for a secret manager), or
// the file PGTRAIL_TOTP_KEY_FILE (default .pgtrail/totp.key), made with 32 random bytes on first
// start, readable by its owner only. Never the database: its dump must not be enough to mint codes.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../db/errors.ts';
import { deriveTotpKey } from './secret-box.ts';

function decode(text: string, origin: string): Buffer {
  const value = text.trim();
  const bytes = /^[0-9a-f]+$/i.test(value) && value.length % 2 === 0 ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64url');
  if (bytes.length < 32) {
    throw new UserError(`${origin}: the 2FA key must be at least 32 bytes (hex or base64url); make one with \`openssl rand -base64 32\``);
  }
  return bytes;
}

export function loadTotpKey(options: { key?: string; file: string }): Buffer {
  if (options.key) return deriveTotpKey(decode(options.key, 'PGTRAIL_TOTP_KEY'));
  let text: string;
  try {
    text = readFileSync(options.file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new UserError(`PGTRAIL_TOTP_KEY_FILE: cannot read ${options.file}: ${(error as Error).message}`, { cause: error });
    }
    text = randomBytes(32).toString('base64url');
    mkdirSync(dirname(options.file), { recursive: true });
    // wx: two consoles starting at once must not overwrite each other's new key.
    try {
      writeFileSync(options.file, `${text}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(options.file, 0o600);
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
      text = readFileSync(options.file, 'utf8');
    }
  }
  return deriveTotpKey(decode(text, `PGTRAIL_TOTP_KEY_FILE (${options.file})`));
}
