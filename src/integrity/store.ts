// Reading and writing the integrity tables: seal keys (public halves), seals, retention records.
// Timestamps are read as UTC text with microseconds (never through Date, which keeps milliseconds)
// because the signed message carries them exactly.
import type pg from 'pg';
import { SqlState, sqlState, UserError } from '../db/errors.ts';
import type { Queryable } from '../db/queryable.ts';
import type { SealKey } from './keys.ts';
import { fingerprintOf } from './keys.ts';
import type { Expiry, SealRecord, Snapshot } from './seal-message.ts';
import { utcText } from './scan.ts';

/** A stored seal: what was signed (locators as their hash), and the hash and signature stored beside it. */
export interface StoredSeal extends SealRecord {
  hash: Buffer;
  signature: Buffer;
}

/** Fails with advice when migration 0010 is not applied. */
export async function requireSeals(db: Queryable): Promise<void> {
  const { rows } = await db.query(`SELECT to_regclass('audit.seals') IS NOT NULL AS ok`);
  if (!rows[0].ok) throw new UserError('this database has no seal tables yet', { hint: 'run `pgtrail migrate` first' });
}

/** Stores the public half of a key; the same key twice is fine. */
export async function registerKey(db: Queryable, key: SealKey): Promise<'added' | 'known'> {
  try {
    const { rows } = await db.query(
      'INSERT INTO audit.seal_keys (fingerprint, public_key) VALUES ($1, $2) ON CONFLICT (fingerprint) DO NOTHING RETURNING 1',
      [key.fingerprint, key.publicRaw]);
    return rows.length === 1 ? 'added' : 'known';
  } catch (error) {
    if (sqlState(error) === SqlState.insufficientPrivilege) {
      throw new UserError('this role may not add seal keys (audit.seal_keys)', { hint: 'connect as the role that ran `pgtrail migrate`', cause: error });
    }
    throw error;
  }
}

export interface StoredKey {
  fingerprint: string;
  publicKey: Buffer;
  /** sha256 of the stored public key: differs from the fingerprint when the key was replaced. */
  actualFingerprint: string;
  createdAt: Date;
}

export async function readKeys(db: Queryable): Promise<StoredKey[]> {
  const { rows } = await db.query('SELECT fingerprint, public_key, created_at FROM audit.seal_keys ORDER BY created_at, fingerprint');
  return rows.map((r) => ({ fingerprint: r.fingerprint, publicKey: r.public_key, actualFingerprint: fingerprintOf(r.public_key), createdAt: r.created_at }));
}

const SEAL_COLUMNS = `seq::text, form, prev_hash, snap_xmin::text, snap_xmax::text, snap_xip::text[] AS snap_xip,
  prev_xmin::text, prev_xmax::text, prev_xip::text[] AS prev_xip, ids::text, event_count::text, first_id::text,
  last_id::text, ${utcText('first_at')} AS first_at, ${utcText('last_at')} AS last_at, events_hash, sha256(locators) AS locators_hash,
  expired, expired_upto::text, key_fingerprint, ${utcText('sealed_at')} AS sealed_at, hash, signature`;

function snapshotOf(xmin: string | null, xmax: string | null, xip: string[] | null): Snapshot | null {
  return xmin === null || xmax === null ? null : { xmin, xmax, xip: xip ?? [] };
}

function sealOf(r: Record<string, any>): StoredSeal {
  return {
    seq: r.seq,
    form: r.form,
    prevHash: r.prev_hash,
    snapshot: snapshotOf(r.snap_xmin, r.snap_xmax, r.snap_xip)!,
    prevSnapshot: snapshotOf(r.prev_xmin, r.prev_xmax, r.prev_xip),
    ids: r.ids,
    count: r.event_count,
    firstId: r.first_id,
    lastId: r.last_id,
    firstAt: r.first_at,
    lastAt: r.last_at,
    eventsHash: r.events_hash,
    locatorsHash: r.locators_hash,
    expired: r.expired as Expiry[],
    expiredUpto: r.expired_upto,
    keyFingerprint: r.key_fingerprint,
    sealedAt: r.sealed_at,
    hash: r.hash,
    signature: r.signature,
  };
}

/** Every seal, in sequence order (the chain is small: one row per sealing run). */
export async function readSeals(db: Queryable): Promise<StoredSeal[]> {
  const { rows } = await db.query(`SELECT ${SEAL_COLUMNS} FROM audit.seals ORDER BY seq`);
  return rows.map(sealOf);
}

export async function lastSeal(db: Queryable): Promise<StoredSeal | null> {
  const { rows } = await db.query(`SELECT ${SEAL_COLUMNS} FROM audit.seals ORDER BY seq DESC LIMIT 1`);
  return rows[0] ? sealOf(rows[0]) : null;
}

export async function locatorsOf(db: Queryable, seq: string): Promise<Buffer> {
  const { rows } = await db.query('SELECT locators FROM audit.seals WHERE seq = $1', [seq]);
  return rows[0]?.locators ?? Buffer.alloc(0);
}

/** Retention drops recorded after `afterId`, as a seal signs them. */
export async function expiriesAfter(db: Queryable, afterId: string): Promise<Expiry[]> {
  const { rows } = await db.query(
    `SELECT id::text, partition, ${utcText('range_from')} AS range_from, ${utcText('range_to')} AS range_to,
            ${utcText('dropped_at')} AS dropped_at, retention, rows::text, ids::text
       FROM audit.expired_partitions WHERE id > $1 ORDER BY id`, [afterId]);
  return rows;
}

export async function insertSeal(db: pg.ClientBase, s: SealRecord, locators: Buffer, hash: Buffer, signature: Buffer): Promise<void> {
  await db.query(
    `INSERT INTO audit.seals (seq, form, prev_hash, snap_xmin, snap_xmax, snap_xip, prev_xmin, prev_xmax, prev_xip,
                              ids, event_count, first_id, last_id, first_at, last_at, events_hash, locators,
                              expired, expired_upto, key_fingerprint, sealed_at, hash, signature)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
    [s.seq, s.form, s.prevHash, s.snapshot.xmin, s.snapshot.xmax, s.snapshot.xip, s.prevSnapshot?.xmin ?? null,
      s.prevSnapshot?.xmax ?? null, s.prevSnapshot?.xip ?? null, s.ids, s.count, s.firstId, s.lastId, s.firstAt, s.lastAt,
      s.eventsHash, locators, JSON.stringify(s.expired), s.expiredUpto, s.keyFingerprint, s.sealedAt, hash, signature]);
}
