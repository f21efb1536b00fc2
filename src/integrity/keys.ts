// Seal keys: Ed25519 from node:crypto. The private half lives in a key file (PKCS#8 PEM, mode 600)
// or the PGTRAIL_SEAL_KEY variable (base64url PKCS#8 DER) of the process that seals; only the public
// half is stored in the database (audit.seal_keys). A key is named by its fingerprint, defined once
// here: the SHA-256 of the raw 32-byte public key, in lower-case hex (64 characters).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UserError } from '../db/errors.ts';

export interface SealKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The raw 32-byte public key. */
  publicRaw: Buffer;
  fingerprint: string;
}

export function fingerprintOf(publicRaw: Buffer): string {
  return createHash('sha256').update(publicRaw).digest('hex');
}

export function isFingerprint(text: string): boolean {
  return /^[0-9a-f]{64}$/.test(text);
}

/** The raw 32 bytes of an Ed25519 public key (the last 32 bytes of its SPKI DER encoding). */
function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

/** An Ed25519 public key object from its raw 32 bytes. */
export function publicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new UserError(`an Ed25519 public key has 32 bytes, got ${raw.length}`);
  const prefix = Buffer.from('302a300506032b6570032100', 'hex'); // SPKI header for Ed25519
  return createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' });
}

function fromPrivate(privateKey: KeyObject): SealKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new UserError(`the seal key is a ${privateKey.asymmetricKeyType} key; pgtrail seals with Ed25519 (pgtrail seal-key create)`);
  }
  const publicKey = createPublicKey(privateKey);
  const publicRaw = rawPublicKey(publicKey);
  return { privateKey, publicKey, publicRaw, fingerprint: fingerprintOf(publicRaw) };
}

export function generateSealKey(): SealKey {
  return fromPrivate(generateKeyPairSync('ed25519').privateKey);
}

export function privatePem(key: SealKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** The value for PGTRAIL_SEAL_KEY: base64url of the PKCS#8 DER encoding. */
export function privateEnvValue(key: SealKey): string {
  return key.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url');
}

export function publicPem(key: SealKey): string {
  return key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
}

/**
 * The process's seal key: PGTRAIL_SEAL_KEY, else PGTRAIL_SEAL_KEY_FILE, else null (sealing is then
 * skipped; callers say so). A key that is present but unreadable is an error, never "no key".
 */
export function loadSealKey(source: { key?: string; file?: string }): SealKey | null {
  if (source.key) {
    try {
      return fromPrivate(createPrivateKey({ key: Buffer.from(source.key, 'base64url'), format: 'der', type: 'pkcs8' }));
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError('PGTRAIL_SEAL_KEY is not an Ed25519 private key (expected base64url PKCS#8, as `pgtrail seal-key create` prints)', { cause: error });
    }
  }
  if (source.file) {
    let text: string;
    try {
      text = readFileSync(source.file, 'utf8');
    } catch (error) {
      throw new UserError(`cannot read the seal key file ${source.file}: ${(error as Error).message}`, { cause: error });
    }
    try {
      return fromPrivate(createPrivateKey(text));
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`${source.file} is not an Ed25519 private key in PEM (pgtrail seal-key create --out FILE makes one)`, { cause: error });
    }
  }
  return null;
}

/** A public key given on the command line: a PEM file (SPKI) or a fingerprint. */
export function readPublicKeyFile(path: string): { raw: Buffer; fingerprint: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`--key ${path}: neither a fingerprint (64 hex characters) nor a readable public key file`, { cause: error });
  }
  try {
    const key = createPublicKey(text);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(key.asymmetricKeyType);
    const raw = rawPublicKey(key);
    return { raw, fingerprint: fingerprintOf(raw) };
  } catch (error) {
    throw new UserError(`--key ${path}: not an Ed25519 public key in PEM`, { cause: error });
  }
}
