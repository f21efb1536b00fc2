// `pgtrail verify`: recompute the chain and every seal in range from the events as they are now,
// and name what differs. Each seal is checked against what it signed: its events are selected by
// the same rule the sealer used (scan.ts) and walked in id order beside the seal's own id list
// and locators, so an altered event is named by id, a deleted one too (or, when a signed
// retention record says so, reported as expired by policy), and an event slipped into a sealed
// range as well. Signatures, the hash chain, sequence gaps and the keys are checked for every
// seal; --from/--to narrow only which seals have their events recomputed.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { publicKeyFromRaw } from './keys.ts';
import { chunkBounds, memberWhere, parseMultirange, scanDigestsInChunks, utcText } from './scan.ts';
import { GENESIS_HASH, sealMessage, sha256, signatureValid, type Expiry, type Snapshot } from './seal-message.ts';
import { expiriesAfter, locatorsOf, readKeys, readSeals, requireSeals, type StoredSeal } from './store.ts';
import { IdSet } from './id-set.ts';
import { isBigintId } from '../db/ids.ts';
import { quoteLiteral } from '../db/sql.ts';

export type FindingKind =
  | 'altered' | 'missing' | 'inserted' | 'uncovered' | 'unsealed_older' | 'events_hash'
  | 'seal_missing' | 'seal_edited' | 'chain_broken' | 'unknown_key' | 'unexpected_key' | 'key_replaced'
  | 'chain_rolled_back' | 'head_replaced';

export interface Finding {
  kind: FindingKind;
  /** The seal concerned, when there is one. */
  seal?: string;
  /** Event ids concerned, as ranges `a-b` (a single id as `a`). */
  ids?: string[];
  count?: number;
  message: string;
}

export interface ExpiredNote {
  seal: string;
  partition: string;
  droppedAt: string;
  /** Whether a seal has signed the retention record yet. */
  signed: boolean;
  count: number;
  ids: string[];
}

/** A recorded change to capture itself (enable, disable, options, DDL on an audited table). */
export interface CaptureChange {
  id: string;
  at: string;
  action: string;
  table: string;
  actor: string;
  /** What changed, in a few words (DDL command, outcome, trigger states). */
  detail: string;
  /** Capture stopped for some writes from here: a disable, a dropped table or trigger, a trigger disabled. */
  gap: boolean;
}

export interface VerifyReport {
  ok: boolean;
  seals: number;
  /** Seals whose events were recomputed (those overlapping --from/--to). */
  checked: number;
  events: number;
  head: { seq: string; hash: string; sealedAt: string } | null;
  keys: Array<{ fingerprint: string; expected: boolean | null }>;
  expectedKeyGiven: boolean;
  expectedHeadGiven: boolean;
  expired: ExpiredNote[];
  /** Changes to capture recorded in the trail (in --from/--to), oldest first, at most CAPTURE_CHANGES_SHOWN. */
  captureChanges: { total: number; gaps: number; shown: CaptureChange[] };
  findings: Finding[];
  notes: string[];
}

const CAPTURE_CHANGES_SHOWN = 50;

export interface VerifyOptions {
  from?: Date;
  to?: Date;
  /** Expected key fingerprints; empty = none given (verify then trusts the keys stored in the database). */
  keys?: string[];
  /**
   * The chain head an earlier verify printed (seq and hash), kept outside the database: the chain
   * must still contain that seal, unchanged. Without it, an older backup restored over the newest
   * seals is a shorter chain that verifies.
   */
  head?: ExpectedHead;
  /** Ids listed per finding at most (the count is always exact). */
  maxIds?: number;
  /**
   * More connections to the same database, idle and outside a transaction: they take verify's
   * snapshot and recompute digests beside the main one (the caller opens and closes them).
   */
  helpers?: pg.ClientBase[];
  /** Events per chunk (CHUNK_EVENTS); tests make it small to cross chunk boundaries. */
  chunkEvents?: number;
  /** Hears how far the recomputation is, after every chunk and every seal (for a progress line). */
  onProgress?: (progress: VerifyProgress) => void;
}

export interface VerifyProgress {
  /** Seals recomputed so far, of those to recompute (intact and in --from/--to). */
  seals: number;
  sealsTotal: number;
  /** Events recomputed so far, of those the seals to recompute signed. */
  events: number;
  eventsTotal: number;
}

/** Events per chunk a connection fetches and digests at once (40 bytes each in memory). */
const CHUNK_EVENTS = 50_000;

export interface ExpectedHead {
  seq: string;
  hash: string;
}

/** `--head 42:9f…` (as verify prints it) → { seq, hash }; null when malformed. */
export function parseExpectedHead(text: string): ExpectedHead | null {
  const m = /^#?(\d+):([0-9a-fA-F]{64})$/.exec(text.trim());
  return m && isBigintId(m[1]) ? { seq: String(BigInt(m[1])), hash: m[2].toLowerCase() } : null;
}

const sameSnapshot = (a: Snapshot | null, b: Snapshot | null) =>
  a === b || (!!a && !!b && a.xmin === b.xmin && a.xmax === b.xmax && a.xip.join(',') === b.xip.join(','));

export async function verifyTrail(client: pg.ClientBase, options: VerifyOptions = {}): Promise<VerifyReport> {
  await requireSeals(client);
  const helpers = options.helpers ?? [];
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  const joined: pg.ClientBase[] = [];
  try {
    if (helpers.length > 0) {
      const { rows: [{ snapshot }] } = await client.query('SELECT pg_export_snapshot() AS snapshot');
      for (const helper of helpers) {
        await helper.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        joined.push(helper);
        // SET takes no bind parameters: the value goes through the one quoting path.
        await helper.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshot)}`);
      }
    }
    return await verifyInSnapshot(client, [client, ...joined], options);
  } finally {
    await Promise.all([client, ...joined].map((c) => c.query('ROLLBACK').catch(() => {})));
  }
}

async function verifyInSnapshot(client: pg.ClientBase, scanners: pg.ClientBase[], options: VerifyOptions): Promise<VerifyReport> {
  const maxIds = options.maxIds ?? 20;
  const expected = new Set(options.keys ?? []);
  const findings: Finding[] = [];
  const notes: string[] = [];
  const add = (f: Finding) => findings.push(f);

  // Keys: the stored public key must still hash to its fingerprint.
  const keys = await readKeys(client);
  const publicKeys = new Map<string, ReturnType<typeof publicKeyFromRaw>>();
  for (const k of keys) {
    if (k.actualFingerprint !== k.fingerprint) {
      add({ kind: 'key_replaced', message: `the public key stored as ${k.fingerprint} is a different key (${k.actualFingerprint}): it was replaced in the database` });
      continue;
    }
    try {
      publicKeys.set(k.fingerprint, publicKeyFromRaw(k.publicKey));
    } catch {
      add({ kind: 'key_replaced', message: `the public key stored as ${k.fingerprint} is not a valid Ed25519 key` });
    }
  }
  if (expected.size === 0) {
    notes.push('no expected key fingerprint was given (--key): signatures were checked against the public keys stored in the database, which whoever controls the database could replace');
  }

  // The chain: every seal's signature, hash link, snapshot link and sequence number.
  const seals = await readSeals(client);
  const intact = new Set<string>(); // seals whose signature holds: their contents are what was signed
  const recomputed = new Map<string, Buffer>();
  let previous: StoredSeal | null = null;
  for (const seal of seals) {
    const message = sealMessage(seal);
    const hash = sha256(message);
    recomputed.set(seal.seq, hash);
    const publicKey = publicKeys.get(seal.keyFingerprint);
    if (!publicKey) {
      add({ kind: 'unknown_key', seal: seal.seq, message: `seal #${seal.seq} names key ${seal.keyFingerprint}, which is not a usable key in audit.seal_keys` });
    } else if (!signatureValid(message, seal.signature, publicKey)) {
      add({ kind: 'seal_edited', seal: seal.seq, message: `seal #${seal.seq}: its signature does not match its contents (the seal was edited or forged)` });
    } else {
      intact.add(seal.seq);
      if (!hash.equals(seal.hash)) {
        add({ kind: 'seal_edited', seal: seal.seq, message: `seal #${seal.seq}: its stored hash was changed (the signed contents are intact)` });
      }
    }
    if (expected.size > 0 && !expected.has(seal.keyFingerprint)) {
      add({ kind: 'unexpected_key', seal: seal.seq, message: `seal #${seal.seq} is signed with key ${seal.keyFingerprint}, not the expected ${[...expected].join(' or ')}: the chain was re-signed or the public key replaced` });
    }
    const seq = BigInt(seal.seq);
    const expectedSeq = previous ? BigInt(previous.seq) + 1n : 1n;
    if (seq !== expectedSeq) {
      add({ kind: 'seal_missing', seal: seal.seq, message: `seal${seq - expectedSeq > 1n ? 's' : ''} #${expectedSeq}${seq - expectedSeq > 1n ? `-#${seq - 1n}` : ''} missing before seal #${seal.seq}: deleted from audit.seals` });
    } else if (previous) {
      // An edited predecessor is reported already; link to what it signed (its stored hash) then.
      const link = intact.has(previous.seq) ? recomputed.get(previous.seq)! : previous.hash;
      if (!seal.prevHash.equals(link) || !sameSnapshot(seal.prevSnapshot, previous.snapshot)) {
        add({ kind: 'chain_broken', seal: seal.seq, message: `seal #${seal.seq} does not follow seal #${previous.seq} (its previous-seal hash or snapshot differs): the chain was rebuilt or a seal replaced` });
      }
    } else if (!seal.prevHash.equals(GENESIS_HASH) || seal.prevSnapshot !== null) {
      add({ kind: 'chain_broken', seal: seal.seq, message: `seal #1 claims a predecessor: the chain was rebuilt` });
    }
    previous = seal;
  }

  const newest = seals[seals.length - 1];
  if (options.head) {
    const { seq, hash } = options.head;
    const at = seals.find((x) => x.seq === seq);
    if (!at) {
      add({ kind: 'chain_rolled_back', seal: seq, message: `the expected head, seal #${seq}, is not in the chain, which ends at ${newest ? `#${newest.seq}` : 'no seal'}: the newest seals were removed or an older backup was restored over them` });
    } else if (recomputed.get(seq)!.toString('hex') !== hash) {
      add({ kind: 'head_replaced', seal: seq, message: `seal #${seq} is not the seal recorded as the head (its hash differs): the chain was replaced from there` });
    }
  } else {
    notes.push('no expected chain head was given (--head SEQ:HASH from an earlier verify): a restore of an older backup over the newest seals would not be noticed');
  }

  // Retention records: signed by a seal (trusted) or not yet (reported, but not proof).
  const signedExpiries: Array<Expiry & { signed: boolean }> = [];
  for (const seal of seals) if (intact.has(seal.seq)) for (const e of seal.expired) signedExpiries.push({ ...e, signed: true });
  const lastIntact = [...seals].reverse().find((s) => intact.has(s.seq));
  for (const e of await expiriesAfter(client, lastIntact?.expiredUpto ?? '0')) signedExpiries.push({ ...e, signed: false });
  const expiries = signedExpiries.map((e) => ({ ...e, set: IdSet.fromRanges(parseMultirange(e.ids)) }));

  // Events of every intact seal in range.
  const inRange = (s: StoredSeal) =>
    (!options.from || (s.lastAt !== null && new Date(s.lastAt) >= options.from)) && (!options.to || (s.firstAt !== null && new Date(s.firstAt) < options.to));
  const expired: ExpiredNote[] = [];
  const toRecompute = seals.filter((s) => intact.has(s.seq) && inRange(s));
  const progress: VerifyProgress = { seals: 0, sealsTotal: toRecompute.length, events: 0, eventsTotal: toRecompute.reduce((n, s) => n + Number(s.count), 0) };
  const report = options.onProgress ?? (() => {});
  report(progress);
  let checked = 0;
  let events = 0;
  for (const seal of toRecompute) {
    checked += 1;
    const result = await recomputeSeal(client, scanners, seal, options.chunkEvents ?? CHUNK_EVENTS, (n) => {
      progress.events += n;
      report(progress);
    });
    events += result.present;
    progress.seals = checked;
    progress.events = events;
    report(progress);
    const at = `seal #${seal.seq}`;
    if (result.altered.size) add({ kind: 'altered', seal: seal.seq, ids: result.altered.text(maxIds), count: result.altered.size, message: `${at}: ${result.altered.size} event(s) altered since sealed` });
    if (result.inserted.size) add({ kind: 'inserted', seal: seal.seq, ids: result.inserted.text(maxIds), count: result.inserted.size, message: `${at}: ${result.inserted.size} event(s) present that the seal does not cover (inserted after sealing)` });
    let deleted = result.missing;
    for (const e of expiries) {
      const left = deleted.intersect(e.set);
      if (left.size === 0) continue;
      deleted = deleted.minus(e.set);
      expired.push({ seal: seal.seq, partition: e.partition, droppedAt: e.dropped_at, signed: e.signed, count: left.size, ids: left.text(maxIds) });
      if (!e.signed) notes.push(`${left.size} event(s) of seal #${seal.seq} left with ${e.partition} on ${e.dropped_at}; that retention record is not signed by a seal yet`);
    }
    if (deleted.size) add({ kind: 'missing', seal: seal.seq, ids: deleted.text(maxIds), count: deleted.size, message: `${at}: ${deleted.size} event(s) missing (deleted, or their partition dropped outside retention)` });
    if (!result.altered.size && !result.inserted.size && !result.missing.size && !result.hashMatches) {
      add({ kind: 'events_hash', seal: seal.seq, message: `${at}: the events' hash differs from the sealed one` });
    }
  }

  // Events no seal covers although they should be.
  for (let i = 0; i < seals.length; i++) {
    const seal = seals[i];
    const before = seals[i - 1];
    const gap = before ? BigInt(seal.seq) - BigInt(before.seq) > 1n : seal.seq !== '1';
    if (!gap || !seal.prevSnapshot || !intact.has(seal.seq)) continue;
    const params: unknown[] = [];
    const where = memberWhere(params, seal.prevSnapshot, before?.snapshot ?? null);
    const ids = await idsWhere(client, where, params);
    if (ids.size) add({ kind: 'uncovered', seal: seal.seq, ids: ids.text(maxIds), count: ids.size, message: `${ids.size} event(s) were covered by the missing seal(s) before #${seal.seq} and are now covered by none` });
  }
  const head = seals[seals.length - 1];
  if (head) {
    const lastId = seals.reduce((m, s) => (s.lastId !== null && BigInt(s.lastId) > m ? BigInt(s.lastId) : m), 0n);
    // Pending events whose transaction began after the newest seal's snapshot (tx_id >= xmax)
    // draw ids after it too; one with a lower id than a sealed event was slipped in.
    const { rows } = await client.query(
      `SELECT e.id FROM audit.events AS e WHERE e.tx_id >= $1::bigint AND e.id < $2::bigint ORDER BY e.id`, [head.snapshot.xmax, String(lastId)]);
    const late = IdSet.fromIds(rows.map((r) => Number(r.id)));
    if (late.size) add({ kind: 'unsealed_older', ids: late.text(maxIds), count: late.size, message: `${late.size} event(s) are not covered by any seal although older than the newest seal (#${head.seq}): inserted after sealing` });
  }

  const captureChanges = await readCaptureChanges(client, options);

  return {
    ok: findings.length === 0,
    seals: seals.length,
    checked,
    events,
    head: head ? { seq: head.seq, hash: (recomputed.get(head.seq) ?? head.hash).toString('hex'), sealedAt: head.sealedAt } : null,
    keys: [...new Set(seals.map((s) => s.keyFingerprint))].map((fingerprint) => ({ fingerprint, expected: expected.size ? expected.has(fingerprint) : null })),
    expectedKeyGiven: expected.size > 0,
    expectedHeadGiven: options.head !== undefined,
    expired,
    captureChanges,
    findings,
    notes,
  };
}

/**
 * The trail's own record of capture being changed (audit.audited_tables_changed, audit.record_ddl):
 * not a failure — they are on the record — but a gap in capture is what an auditor must see.
 */
async function readCaptureChanges(client: pg.ClientBase, options: VerifyOptions): Promise<VerifyReport['captureChanges']> {
  const params: unknown[] = [];
  let where = `e.target_type = 'audit.audited_tables' AND e.action IN ('audit.enable', 'audit.disable', 'audit.options_change', 'audit.ddl')`;
  if (options.from) where += ` AND e.occurred_at >= $${params.push(options.from)}`;
  if (options.to) where += ` AND e.occurred_at < $${params.push(options.to)}`;
  // A gap: disabled, dropped, or a capture trigger left firing only in replica mode or not at all.
  const gap = `(e.action = 'audit.disable' OR coalesce(e.metadata->>'command_tag' IN ('DROP TABLE', 'DROP TRIGGER'), false)
    OR EXISTS (SELECT FROM jsonb_each_text(CASE WHEN jsonb_typeof(e.metadata->'capture_triggers') = 'object' THEN e.metadata->'capture_triggers' ELSE '{}' END) AS t WHERE t.value IN ('D', 'R')))`;
  const { rows: [totals] } = await client.query(`SELECT count(*)::int AS total, count(*) FILTER (WHERE ${gap})::int AS gaps FROM audit.events AS e WHERE ${where}`, params);
  const { rows } = await client.query(
    `SELECT e.id::text, ${utcText('e.occurred_at')} AS at, e.action, coalesce(e.metadata->>'table', e.target_id) AS table_name,
            e.actor_type || ' ' || coalesce(e.actor_name, e.actor_id, e.db_user) AS actor,
            concat_ws(', ', e.metadata->>'command_tag', e.metadata->>'outcome', CASE WHEN e.metadata ? 'capture_triggers' THEN 'triggers ' || (e.metadata->'capture_triggers')::text END) AS detail,
            ${gap} AS gap
       FROM audit.events AS e WHERE ${where} ORDER BY e.id LIMIT ${CAPTURE_CHANGES_SHOWN}`, params);
  return { total: totals.total, gaps: totals.gaps, shown: rows.map((r) => ({ id: r.id, at: r.at, action: r.action, table: r.table_name, actor: r.actor, detail: r.detail, gap: r.gap })) };
}

async function idsWhere(client: pg.ClientBase, where: string, params: unknown[]): Promise<IdSet> {
  const { rows } = await client.query(`SELECT e.id FROM audit.events AS e WHERE ${where} ORDER BY e.id`, params);
  return IdSet.fromIds(rows.map((r) => Number(r.id)));
}

interface SealCheck {
  present: number;
  altered: IdSet;
  missing: IdSet;
  inserted: IdSet;
  hashMatches: boolean;
}

/** Walks the events the seal's rule selects beside the seal's ids and locators, both in id order. */
async function recomputeSeal(client: pg.ClientBase, scanners: pg.ClientBase[], seal: StoredSeal, chunkEvents: number,
  onChunk: (events: number) => void): Promise<SealCheck> {
  const locators = await locatorsOf(client, seal.seq);
  const ranges = parseMultirange(seal.ids);
  const expectedIds = new IdSet.Cursor(ranges);
  const altered: number[] = [];
  const missing: number[] = [];
  const inserted: number[] = [];
  const hash = createHash('sha256');
  let present = 0;
  let index = 0; // position of expectedIds.current in the seal's id order
  const onEvent = (id: number, digest: Buffer) => {
    present += 1;
    hash.update(digest);
    while (expectedIds.current !== null && expectedIds.current < id) {
      missing.push(expectedIds.current);
      expectedIds.next();
      index += 1;
    }
    if (expectedIds.current === id) {
      if (!locators.subarray(index * 8, index * 8 + 8).equals(digest.subarray(0, 8))) altered.push(id);
      expectedIds.next();
      index += 1;
    } else {
      inserted.push(id);
    }
  };
  const params: unknown[] = [];
  await scanDigestsInChunks(scanners, memberWhere(params, seal.snapshot, seal.prevSnapshot), params, chunkBounds(ranges, chunkEvents), onEvent, onChunk);
  while (expectedIds.current !== null) {
    missing.push(expectedIds.current);
    expectedIds.next();
  }
  return {
    present,
    altered: IdSet.fromIds(altered),
    missing: IdSet.fromIds(missing),
    inserted: IdSet.fromIds(inserted),
    hashMatches: hash.digest().equals(seal.eventsHash) && String(present) === seal.count,
  };
}
