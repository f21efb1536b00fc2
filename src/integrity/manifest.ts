// Detached, signed export manifests: what an export holds (filters, rows, bytes, SHA-256, first and
// last event id) and which seals its events fall under, signed with the seal key, so the file can
// be checked offline (`pgtrail verify-export`) with nothing but the file, the manifest and the key's
// fingerprint. The manifest file is JSON: { "manifest": {…}, "signature": base64url }, the
// signature over JSON.stringify(manifest) — members in the order written, values strings,
// integers, booleans and null only, so parsing and re-serialising gives the same bytes.
import type { Queryable } from '../db/queryable.ts';
import { IdSet } from './id-set.ts';
import { fingerprintOf, publicKeyFromRaw, type SealKey } from './keys.ts';
import { parseMultirange } from './scan.ts';
import { signatureValid, signMessage } from './seal-message.ts';
import type { ExportDigest } from './export-digest.ts';

export interface Manifest {
  pgtrail_manifest: 1;
  export_id: string;
  format: string;
  raw: boolean;
  filters: Record<string, string | string[]>;
  query: string;
  exported_at: string;
  rows: number;
  bytes: number;
  sha256: string;
  first_event_id: string | null;
  last_event_id: string | null;
  /** Seals covering at least one exported event, with the hash each had when the manifest was made. */
  seals: Array<{ seq: string; hash: string }>;
  /** Exported events no seal covered yet when the manifest was made. */
  unsealed_rows: number;
  key: string;
  public_key: string;
}

export interface ManifestFile {
  manifest: Manifest;
  signature: string;
}

export interface ManifestInput {
  exportId: string;
  format: string;
  raw: boolean;
  filters: Record<string, string | string[]>;
  query: string;
  exportedAt: Date;
  digest: ReturnType<ExportDigest['finish']>;
}

/** The seals whose ids meet the exported ids, and how many exported ids none covers. */
async function sealsOf(db: Queryable, ids: IdSet): Promise<{ seals: Manifest['seals']; unsealed: number }> {
  if (ids.size === 0) return { seals: [], unsealed: 0 };
  const first = ids.ranges[0][0];
  const last = ids.ranges[ids.ranges.length - 1][1];
  const { rows } = await db.query(
    `SELECT seq::text, encode(hash, 'hex') AS hash, ids::text FROM audit.seals
      WHERE event_count > 0 AND last_id >= $1 AND first_id < $2 ORDER BY seq`, [first, last]);
  let uncovered = ids;
  const seals: Manifest['seals'] = [];
  for (const r of rows) {
    const set = IdSet.fromRanges(parseMultirange(r.ids));
    if (ids.intersect(set).size === 0) continue;
    seals.push({ seq: r.seq, hash: r.hash });
    uncovered = uncovered.minus(set);
  }
  return { seals, unsealed: uncovered.size };
}

export async function buildManifest(db: Queryable, key: SealKey, input: ManifestInput): Promise<ManifestFile> {
  const { seals, unsealed } = await sealsOf(db, input.digest.ids);
  const manifest: Manifest = {
    pgtrail_manifest: 1,
    export_id: input.exportId,
    format: input.format,
    raw: input.raw,
    filters: input.filters,
    query: input.query,
    exported_at: input.exportedAt.toISOString(),
    rows: input.digest.rows,
    bytes: input.digest.bytes,
    sha256: input.digest.sha256,
    first_event_id: input.digest.firstId,
    last_event_id: input.digest.lastId,
    seals,
    unsealed_rows: unsealed,
    key: key.fingerprint,
    public_key: key.publicRaw.toString('base64url'),
  };
  return { manifest, signature: signMessage(Buffer.from(JSON.stringify(manifest)), key.privateKey).toString('base64url') };
}

export interface ManifestCheck {
  ok: boolean;
  problems: string[];
  manifest: Manifest;
}

/**
 * Checks a file's digest against its manifest, offline. `expected` is the fingerprint the
 * auditor trusts (or the one of the public key file they hold).
 */
export function checkManifest(file: ManifestFile, digest: ReturnType<ExportDigest['finish']>, expected: string): ManifestCheck {
  const m = file.manifest;
  const problems: string[] = [];
  let raw: Buffer;
  try {
    raw = Buffer.from(m.public_key, 'base64url');
    const key = publicKeyFromRaw(raw);
    if (fingerprintOf(raw) !== m.key) problems.push(`the manifest's public key is not the key it names (${m.key})`);
    if (fingerprintOf(raw) !== expected) problems.push(`signed with key ${fingerprintOf(raw)}, not the expected ${expected}`);
    if (!signatureValid(Buffer.from(JSON.stringify(m)), Buffer.from(file.signature, 'base64url'), key)) {
      problems.push('the manifest\'s signature does not match its contents (the manifest was edited)');
    }
  } catch {
    problems.push('the manifest\'s public key is not an Ed25519 key');
  }
  if (digest.bytes !== m.bytes) problems.push(`the file has ${digest.bytes} bytes, the manifest says ${m.bytes}`);
  if (digest.sha256 !== m.sha256) problems.push(`the file's SHA-256 is ${digest.sha256}, the manifest says ${m.sha256}`);
  if (digest.rows !== m.rows) problems.push(`the file has ${digest.rows} rows, the manifest says ${m.rows}`);
  if (digest.firstId !== m.first_event_id || digest.lastId !== m.last_event_id) {
    problems.push(`the file's event ids run ${digest.firstId}–${digest.lastId}, the manifest says ${m.first_event_id}–${m.last_event_id}`);
  }
  return { ok: problems.length === 0, problems, manifest: m };
}
