// What a seal's signature covers: one JSON text with a fixed member order, built from the columns
// of audit.seals (docs/integrity.md, "The seal message"). Bigints and timestamps are strings (UTC,
// microseconds, as audit.event_form writes them) so nothing is rounded on the way. The seal's hash
// is the SHA-256 of these bytes; the next seal carries it as prev_hash.
import { createHash, sign, verify, type KeyObject } from 'node:crypto';

export interface Snapshot {
  xmin: string;
  xmax: string;
  /** In-progress transaction ids, ascending. */
  xip: string[];
}

/** A retention drop as a seal signs it (a row of audit.expired_partitions). */
export interface Expiry {
  id: string;
  partition: string;
  range_from: string;
  range_to: string;
  dropped_at: string;
  retention: string;
  rows: string;
  ids: string;
}

export interface SealRecord {
  seq: string;
  form: number;
  prevHash: Buffer;
  snapshot: Snapshot;
  prevSnapshot: Snapshot | null;
  /** The covered ids as PostgreSQL writes an int8multirange: `{[1,5),[7,8)}`, `{}` when none. */
  ids: string;
  count: string;
  firstId: string | null;
  lastId: string | null;
  firstAt: string | null;
  lastAt: string | null;
  eventsHash: Buffer;
  /** sha256 of the locators (the first 8 bytes of each event's digest, in id order). */
  locatorsHash: Buffer;
  expired: Expiry[];
  expiredUpto: string;
  keyFingerprint: string;
  sealedAt: string;
}

export const GENESIS_HASH = Buffer.alloc(32);

const snapshotJson = (s: Snapshot) => ({ xmin: s.xmin, xmax: s.xmax, xip: s.xip });
const expiryJson = (e: Expiry) => ({
  id: e.id, partition: e.partition, range_from: e.range_from, range_to: e.range_to,
  dropped_at: e.dropped_at, retention: e.retention, rows: e.rows, ids: e.ids,
});

/** Every signed field of a seal, in the signed order: the message and the API's chain share it. */
export function sealFields(s: SealRecord) {
  return {
    seq: s.seq,
    form: s.form,
    prev_hash: s.prevHash.toString('hex'),
    snapshot: snapshotJson(s.snapshot),
    prev_snapshot: s.prevSnapshot ? snapshotJson(s.prevSnapshot) : null,
    ids: s.ids,
    count: s.count,
    first_id: s.firstId,
    last_id: s.lastId,
    first_at: s.firstAt,
    last_at: s.lastAt,
    events_hash: s.eventsHash.toString('hex'),
    locators_hash: s.locatorsHash.toString('hex'),
    expired: s.expired.map(expiryJson),
    expired_upto: s.expiredUpto,
    key: s.keyFingerprint,
    sealed_at: s.sealedAt,
  };
}

export function sealMessage(s: SealRecord): Buffer {
  return Buffer.from(JSON.stringify({ pgtrail_seal: 1, ...sealFields(s) }), 'utf8');
}

export function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

export function signMessage(message: Buffer, privateKey: KeyObject): Buffer {
  return sign(null, message, privateKey);
}

export function signatureValid(message: Buffer, signature: Buffer, publicKey: KeyObject): boolean {
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}
