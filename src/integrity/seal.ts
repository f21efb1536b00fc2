// Sealing: one transaction that takes a snapshot, covers every event committed in it and in no
// earlier seal (scan.ts), signs the result with a key held only by this process, and appends the
// seal. Writers are never waited on: the snapshot is an ordinary REPEATABLE READ snapshot, and a
// transaction still open then is sealed by a later seal, whatever its ids.
//
// Concurrency: the sealer holds the maintenance advisory lock (session level, taken BEFORE the
// snapshot so the snapshot sees the seal of a sealer that ran just before), so two sealers never
// run at once and a retention drop never happens mid-seal. Killed mid-seal, the transaction rolls
// back: no half seal, and the next run covers the same events.
import type pg from 'pg';
import { UserError } from '../db/errors.ts';
import { MAINTENANCE_LOCK } from '../maintenance/lock.ts';
import type { SealKey } from './keys.ts';
import { memberWhere, SealAccumulator, scanEvents, utcText } from './scan.ts';
import { GENESIS_HASH, sealMessage, sha256, signMessage, type SealRecord, type Snapshot } from './seal-message.ts';
import { expiriesAfter, insertSeal, lastSeal, requireSeals } from './store.ts';

/** The canonical event form the sealer uses (audit.event_form). */
const EVENT_FORM = 1;

export type SealOutcome =
  | { sealed: true; seq: string; count: number; firstId: number | null; lastId: number | null; expired: number; hash: Buffer }
  | { sealed: false; reason: string };

async function currentSnapshot(client: pg.ClientBase): Promise<Snapshot & { at: string }> {
  const { rows } = await client.query(
    `SELECT pg_snapshot_xmin(s)::text AS xmin, pg_snapshot_xmax(s)::text AS xmax,
            ARRAY(SELECT x::text FROM pg_snapshot_xip(s) AS x ORDER BY x::text::bigint) AS xip,
            ${utcText('statement_timestamp()')} AS at
       FROM pg_current_snapshot() AS s`);
  return rows[0];
}

export async function sealNow(client: pg.ClientBase, key: SealKey): Promise<SealOutcome> {
  await requireSeals(client);
  const { rows: known } = await client.query('SELECT public_key FROM audit.seal_keys WHERE fingerprint = $1', [key.fingerprint]);
  if (!known[0] || !Buffer.from(known[0].public_key).equals(key.publicRaw)) {
    throw new UserError(`the seal key ${key.fingerprint} is not registered in this database`, {
      hint: 'register its public half with `pgtrail seal-key create` (or use the key that was registered)',
    });
  }
  await client.query('SELECT pg_advisory_lock($1, $2)', [MAINTENANCE_LOCK.classId, MAINTENANCE_LOCK.objId]);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      const outcome = await sealInTransaction(client, key);
      await client.query(outcome.sealed ? 'COMMIT' : 'ROLLBACK');
      return outcome;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, $2)', [MAINTENANCE_LOCK.classId, MAINTENANCE_LOCK.objId]).catch(() => {});
  }
}

async function sealInTransaction(client: pg.ClientBase, key: SealKey): Promise<SealOutcome> {
  const { at, ...snapshot } = await currentSnapshot(client); // the transaction's snapshot from here on
  const prev = await lastSeal(client);
  if (prev && BigInt(snapshot.xmax) < BigInt(prev.snapshot.xmax)) {
    throw new UserError(`the transaction counter (${snapshot.xmax}) is behind the last seal's (${prev.snapshot.xmax}); this database was restored into another cluster`, {
      hint: 'seals cover events by transaction id, so sealing cannot go on here; see docs/integrity.md, "Restores"',
    });
  }
  const expired = await expiriesAfter(client, prev?.expiredUpto ?? '0');

  const params: unknown[] = [];
  const where = memberWhere(params, snapshot, prev?.snapshot ?? null);
  const acc = new SealAccumulator();
  await scanEvents(client, where, params, (e) => acc.add(e));
  if (acc.count === 0 && expired.length === 0) return { sealed: false, reason: 'no events committed since the last seal' };

  const locators = acc.locators();
  const record: SealRecord = {
    seq: String(prev ? BigInt(prev.seq) + 1n : 1n),
    form: EVENT_FORM,
    prevHash: prev?.hash ?? GENESIS_HASH,
    snapshot,
    prevSnapshot: prev?.snapshot ?? null,
    ids: acc.idsText(),
    count: String(acc.count),
    firstId: acc.firstId === null ? null : String(acc.firstId),
    lastId: acc.lastId === null ? null : String(acc.lastId),
    firstAt: acc.firstAt,
    lastAt: acc.lastAt,
    eventsHash: acc.eventsHash(),
    locatorsHash: sha256(locators),
    expired,
    expiredUpto: expired.length ? expired[expired.length - 1].id : prev?.expiredUpto ?? '0',
    keyFingerprint: key.fingerprint,
    sealedAt: at,
  };
  const message = sealMessage(record);
  const hash = sha256(message);
  await insertSeal(client, record, locators, hash, signMessage(message, key.privateKey));
  return { sealed: true, seq: record.seq, count: acc.count, firstId: acc.firstId, lastId: acc.lastId, expired: expired.length, hash };
}
