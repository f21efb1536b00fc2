// `pgtrail verify` against a superuser who knows everything but the private key: each tampering
// is detected and named (kind, seal, ids), and an untouched trail verifies (the positive control).
// Every test seals a fresh database, tampers as the superuser, and runs the real CLI.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { disableAudit, enableAudit } from '../src/audit/enable.ts';
import { generateSealKey, type SealKey } from '../src/integrity/keys.ts';
import { sealMessage, sha256, signMessage } from '../src/integrity/seal-message.ts';
import { sealNow } from '../src/integrity/seal.ts';
import { readSeals, registerKey } from '../src/integrity/store.ts';
import { verifyTrail, type VerifyReport } from '../src/integrity/verify.ts';
import { chunkBounds } from '../src/integrity/scan.ts';
import { runMaintenance } from '../src/maintenance/run.ts';
import { cli } from './helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { tamper } from './helpers/tamper.ts';

const t = suite('verify');

interface Trail {
  db: TestDatabase;
  key: SealKey;
  /** Event ids per seal: seal 1 covers ids[0], seal 2 ids[1]. */
  ids: string[][];
}

async function logEvents(db: pg.Pool, n: number): Promise<string[]> {
  const { rows } = await db.query(`SELECT audit.log_event('test.event', 'test', g::text, jsonb_build_object('n', g)) AS id FROM generate_series(1, $1) AS g`, [n]);
  return rows.map((r) => r.id);
}

async function sealWith(db: TestDatabase, key: SealKey) {
  const client = await db.pool.connect();
  try {
    return await sealNow(client, key);
  } finally {
    client.release();
  }
}

/** A trail of two seals (5 events, then 4), in a database of its own. */
async function withTrail(label: string, work: (trail: Trail) => Promise<void>): Promise<void> {
  const db = await createTestDatabase(label);
  try {
    const key = generateSealKey();
    await registerKey(db.pool, key);
    const first = await logEvents(db.pool, 5);
    await sealWith(db, key);
    const second = await logEvents(db.pool, 4);
    await sealWith(db, key);
    await work({ db, key, ids: [first, second] });
  } finally {
    await db.drop();
  }
}

async function verify(trail: Trail, ...args: string[]): Promise<{ code: number | null; report: VerifyReport; stdout: string }> {
  const run = await cli(trail.db.url, 'verify', '--json', '--key', trail.key.fingerprint, ...args);
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  return { code: run.code, report: JSON.parse(run.stdout), stdout: run.stdout };
}

const kinds = (r: VerifyReport) => r.findings.map((f) => `${f.kind}${f.seal ? `@${f.seal}` : ''}${f.ids ? `:${f.ids.join(',')}` : ''}`);

t('positive control: an untouched trail verifies (exit 0), with the expected key and without', () =>
  withTrail('verify_ok', async (trail) => {
    const { code, report } = await verify(trail);
    assert.is(code, 0);
    assert.equal(report.findings, []);
    assert.is(report.seals, 2);
    assert.is(report.events, 9);
    assert.equal(report.keys, [{ fingerprint: trail.key.fingerprint, expected: true }]);
    assert.equal(report.notes.length, 1);
    assert.match(report.notes[0], /^no expected chain head was given \(--head/);
    const withHead = await verify(trail, '--head', `${report.head!.seq}:${report.head!.hash}`);
    assert.is(withHead.code, 0);
    assert.equal(withHead.report.notes, [], 'with the expected key and head given there is nothing left to trust');
    assert.equal(withHead.report.captureChanges, { total: 0, gaps: 0, shown: [] });

    const text = await cli(trail.db.url, 'verify');
    assert.is(text.code, 0, text.stderr);
    assert.match(text.stdout, /^verified: 2 seal\(s\), 2 recomputed, 9 event\(s\); chain head #2 sealed \d{4}-\d\d-\d\dT[\d:.]+Z, hash [0-9a-f]{64}$/m);
    assert.match(text.stdout, /^note: no expected key fingerprint was given \(--key\)/m, 'says that no expected key was given');
  }));

t('an event UPDATEd with the guard disabled: altered, with its id and seal', () =>
  withTrail('verify_update', async (trail) => {
    const victim = trail.ids[0][2];
    await tamper(trail.db.pool, 'audit.events', (c) => c.query('UPDATE audit.events SET new_data = $1 WHERE id = $2', [{ amount: 1000000 }, victim]));
    const { code, report } = await verify(trail);
    assert.is(code, 1);
    assert.equal(kinds(report), [`altered@1:${victim}`]);
  }));

t('an event DELETEd: missing, with its id and seal', () =>
  withTrail('verify_delete', async (trail) => {
    const victim = trail.ids[1][1];
    await tamper(trail.db.pool, 'audit.events', (c) => c.query('DELETE FROM audit.events WHERE id = $1', [victim]));
    const { code, report } = await verify(trail);
    assert.is(code, 1);
    assert.equal(kinds(report), [`missing@2:${victim}`]);
  }));

t('forged events: one in a sealed range is "inserted", one with an old id after it "unsealed but older"', () =>
  withTrail('verify_insert', async (trail) => {
    // With a transaction id of seal 1's range, as a forger copying a neighbour would write it.
    await trail.db.pool.query(`INSERT INTO audit.events (id, tx_id, action, target_type, actor_type, db_user)
      SELECT 900, tx_id, 'test.event', 'test', 'user', 'forger' FROM audit.events WHERE id = $1`, [trail.ids[0][0]]);
    // With its own transaction's id, as a forger's INSERT has by default, and an id older than sealed ones.
    await trail.db.pool.query(`INSERT INTO audit.events (id, tx_id, action, target_type, actor_type, db_user)
      VALUES ($1::bigint - 100, txid_current(), 'test.event', 'test', 'user', 'forger')`, [trail.ids[0][1]]);
    const { code, report } = await verify(trail);
    assert.is(code, 1);
    assert.equal(kinds(report), ['inserted@1:900', `unsealed_older:${Number(trail.ids[0][1]) - 100}`]);
  }));

t('an event deleted and forged again under its id: altered', () =>
  withTrail('verify_replace', async (trail) => {
    const reused = trail.ids[0][1];
    await tamper(trail.db.pool, 'audit.events', (c) => c.query('DELETE FROM audit.events WHERE id = $1', [reused]));
    await trail.db.pool.query(`INSERT INTO audit.events (id, tx_id, action, target_type, actor_type, db_user)
      SELECT $1, tx_id, 'test.event', 'test', 'user', 'forger' FROM audit.events WHERE id = $2`, [reused, trail.ids[0][0]]);
    const { report } = await verify(trail);
    assert.equal(kinds(report), [`altered@1:${reused}`]);
  }));

t('events re-ordered (two ids swapped): both altered', () =>
  withTrail('verify_reorder', async (trail) => {
    const [a, b] = [trail.ids[0][0], trail.ids[0][1]];
    await tamper(trail.db.pool, 'audit.events', (c) =>
      c.query('UPDATE audit.events SET id = CASE id WHEN $1 THEN $2::bigint ELSE $1 END WHERE id IN ($1, $2)', [a, b]));
    const { report } = await verify(trail);
    assert.equal(kinds(report), [`altered@1:${a}-${b}`]);
  }));

t('a seal edited, a seal deleted: named, and the events it covered are reported as covered by none', () =>
  withTrail('verify_seal_edit', async (trail) => {
    await tamper(trail.db.pool, 'audit.seals', (c) => c.query('UPDATE audit.seals SET event_count = 4 WHERE seq = 1'));
    const edited = await verify(trail);
    assert.is(edited.code, 1);
    assert.equal(kinds(edited.report), ['seal_edited@1']);

    await tamper(trail.db.pool, 'audit.seals', (c) => c.query('DELETE FROM audit.seals WHERE seq = 1'));
    const deleted = await verify(trail);
    assert.is(deleted.code, 1);
    assert.equal(kinds(deleted.report), ['seal_missing@2', `uncovered@2:${trail.ids[0][0]}-${trail.ids[0][4]}`]);
  }));

t('the chain re-signed with a new key pair whose public half is swapped in: caught with --key, and without it verify says it was not given', () =>
  withTrail('verify_resign', async (trail) => {
    // The forger alters an event, then rebuilds every seal over the new contents with their own key.
    const victim = trail.ids[0][0];
    await tamper(trail.db.pool, 'audit.events', (c) => c.query('UPDATE audit.events SET metadata = $1 WHERE id = $2', [{ n: 99 }, victim]));
    const forger = generateSealKey();
    await registerKey(trail.db.pool, forger);
    await tamper(trail.db.pool, 'audit.seals', (c) => c.query('DELETE FROM audit.seals'));
    // Re-sealing from scratch with the forger's key reproduces the chain over the altered events.
    assert.ok((await sealWith(trail.db, forger)).sealed);

    const withKey = await verify(trail);
    assert.is(withKey.code, 1);
    assert.equal(kinds(withKey.report), ['unexpected_key@1']);
    assert.equal(withKey.report.keys, [{ fingerprint: forger.fingerprint, expected: false }]);

    const without = await cli(trail.db.url, 'verify', '--json');
    const report: VerifyReport = JSON.parse(without.stdout);
    assert.is(without.code, 0, 'with nothing to compare against, a consistent forgery verifies…');
    assert.match(report.notes.join('\n'), /no expected key fingerprint was given/, '…and verify says so');
    assert.equal(report.keys, [{ fingerprint: forger.fingerprint, expected: null }]);
  }));

t('a seal re-signed with another key under the original fingerprint, the stored public key replaced: key_replaced', () =>
  withTrail('verify_swap_key', async (trail) => {
    const forger = generateSealKey();
    const seals = await readSeals(trail.db.pool);
    const last = seals[seals.length - 1];
    const changed = { ...last, count: '3' };
    const signature = signMessage(sealMessage(changed), forger.privateKey);
    await trail.db.pool.query('ALTER TABLE audit.seal_keys DROP CONSTRAINT seal_keys_check');
    await tamper(trail.db.pool, ['audit.seal_keys', 'audit.seals'], async (c) => {
      await c.query('UPDATE audit.seal_keys SET public_key = $1', [forger.publicRaw]);
      await c.query('UPDATE audit.seals SET event_count = 3, signature = $1, hash = $2 WHERE seq = $3', [signature, sha256(sealMessage(changed)), last.seq]);
    });
    const { code, report } = await verify(trail);
    assert.is(code, 1);
    assert.ok(kinds(report).includes('key_replaced'), kinds(report).join());
    assert.ok(kinds(report).includes('unknown_key@2'), 'no seal verifies against a replaced key');
  }));

t('a partition dropped by hand: its events are missing; dropped by retention: expired under the policy on <date>', async () => {
  for (const how of ['by hand', 'by retention'] as const) {
    const db = await createTestDatabase(`verify_drop_${how.replace(' ', '_')}`);
    try {
      const key = generateSealKey();
      await registerKey(db.pool, key);
      // Old events (written now, dated 2019) land in the default partition; maintenance moves them.
      const { rows } = await db.pool.query(`INSERT INTO audit.events (occurred_at, tx_id, action, target_type, actor_type, db_user)
        SELECT '2019-07-04T00:00:00Z'::timestamptz + g * interval '1 hour', txid_current(), 'test.old', 'test', 'user', 'tester'
          FROM generate_series(1, 3) AS g RETURNING id`);
      const old = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
      await logEvents(db.pool, 2);
      await runMaintenance(db.pool);
      await sealWith(db, key);
      if (how === 'by hand') {
        await db.pool.query('DROP TABLE audit.events_p20190701');
      } else {
        await db.pool.query(`SELECT audit.set_retention('1 year')`);
        await runMaintenance(db.pool, undefined, { sealKey: key });
      }
      const run = await cli(db.url, 'verify', '--json', '--key', key.fingerprint);
      const report: VerifyReport = JSON.parse(run.stdout);
      if (how === 'by hand') {
        assert.is(run.code, 1);
        assert.equal(kinds(report), [`missing@1:${old[0]}-${old[2]}`]);
      } else {
        assert.is(run.code, 0, JSON.stringify(report.findings));
        assert.equal(report.expired.map((e) => [e.seal, e.partition, e.count, e.signed, e.ids]), [['1', 'audit.events_p20190701', 3, true, [`${old[0]}-${old[2]}`]]]);
        const text = await cli(db.url, 'verify', '--key', key.fingerprint);
        assert.match(text.stdout, /^expired under the retention policy on \d{4}-\d\d-\d\d: 3 event\(s\) of seal #1 with audit\.events_p20190701/m);
      }
    } finally {
      await db.drop();
    }
  }
});

t('an older backup restored over the newest seals: a shorter chain verifies, and --head names the rollback', () =>
  withTrail('verify_rollback', async (trail) => {
    const head = (await verify(trail)).report.head!;
    // What the database looks like when the backup taken after seal #1 is restored: seal #2 and
    // the events it covered are gone, everything older is intact and consistent.
    await tamper(trail.db.pool, ['audit.events', 'audit.seals'], async (c) => {
      await c.query('DELETE FROM audit.events WHERE id = ANY($1::bigint[])', [trail.ids[1]]);
      await c.query('DELETE FROM audit.seals WHERE seq = 2');
    });
    const plain = await verify(trail);
    assert.is(plain.code, 0, 'on its own the restored chain is consistent…');
    assert.is(plain.report.head!.seq, '1');
    const given = await verify(trail, '--head', `${head.seq}:${head.hash}`);
    assert.is(given.code, 1, '…but not the chain that was verified before');
    assert.equal(kinds(given.report), ['chain_rolled_back@2']);
    assert.match(given.report.findings[0].message, /seal #2, is not in the chain, which ends at #1: .*older backup/);
  }));

t('a chain re-signed from its head on, checked with --head but without --key: head_replaced', () =>
  withTrail('verify_head_replaced', async (trail) => {
    const head = (await verify(trail)).report.head!;
    const forger = generateSealKey();
    await registerKey(trail.db.pool, forger);
    await tamper(trail.db.pool, 'audit.seals', (c) => c.query('DELETE FROM audit.seals'));
    assert.ok((await sealWith(trail.db, forger)).sealed);
    await logEvents(trail.db.pool, 1);
    assert.ok((await sealWith(trail.db, forger)).sealed);
    const run = await cli(trail.db.url, 'verify', '--json', '--head', `${head.seq}:${head.hash}`);
    assert.is(run.code, 1, run.stderr);
    assert.equal(kinds(JSON.parse(run.stdout)), ['head_replaced@2']);
  }));

t('a partition DETACHed outside maintenance: its events are missing, named by id and seal', () =>
  withTrail('verify_detach', async (trail) => {
    const { rows: [where] } = await trail.db.pool.query(`SELECT tableoid::regclass::text AS partition FROM audit.events WHERE id = $1`, [trail.ids[0][0]]);
    assert.not.equal(where.partition, 'audit.events_default', 'the events are in a time partition');
    const ok = await verify(trail);
    assert.is(ok.code, 0, 'positive control: before the detach the trail verifies');
    // regclass text: already quoted where it needs to be.
    await trail.db.pool.query(`ALTER TABLE audit.events DETACH PARTITION ${where.partition}`);
    const { code, report } = await verify(trail);
    assert.is(code, 1);
    const all = [...trail.ids[0], ...trail.ids[1]].map(Number).sort((a, b) => a - b);
    assert.equal(kinds(report), [`missing@1:${all[0]}-${all[4]}`, `missing@2:${all[5]}-${all[8]}`]);
  }));

t('capture switched off is in the report: enable, a capture trigger disabled, disable — the gaps marked', async () => {
  const db = await createTestDatabase('verify_capture_changes');
  try {
    const { rows: [su] } = await db.pool.query(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`);
    await db.pool.query('CREATE TABLE public.things (id int PRIMARY KEY, v text)');
    await enableAudit(db.pool, { schema: 'public', table: 'things' }, {});
    if (su.rolsuper) await db.pool.query('ALTER TABLE public.things DISABLE TRIGGER pgtrail_update');
    await disableAudit(db.pool, { schema: 'public', table: 'things' });
    const run = await cli(db.url, 'verify', '--json');
    assert.is(run.code, 0, 'capture changes are on the record, not a failure');
    const changes: VerifyReport['captureChanges'] = JSON.parse(run.stdout).captureChanges;
    const expected = su.rolsuper ? [['audit.enable', false], ['audit.ddl', true], ['audit.disable', true]] : [['audit.enable', false], ['audit.disable', true]];
    assert.equal(changes.shown.map((c) => [c.action, c.gap]), expected);
    assert.ok(changes.shown.every((c) => c.table === 'public.things'), JSON.stringify(changes.shown));
    assert.is(changes.gaps, expected.filter(([, g]) => g).length);
    const text = await cli(db.url, 'verify');
    assert.match(text.stdout, /^capture changes on the record: \d, \d of them stopping capture for some writes$/m);
    assert.match(text.stdout, /^  GAP \S+ audit\.disable public\.things by db_role /m);
    const outside = await cli(db.url, 'verify', '--json', '--to', '2001-01-01');
    assert.is(JSON.parse(outside.stdout).captureChanges.total, 0, '--from/--to narrow them');
  } finally {
    await db.drop();
  }
});

t('chunk boundaries: every n-th expected id, across the gaps between ranges', () => {
  assert.equal(chunkBounds([[1, 11]], 3), [4, 7, 10]);
  assert.equal(chunkBounds([[1, 3], [10, 14], [20, 21]], 2), [10, 12, 20]);
  assert.equal(chunkBounds([[1, 7]], 3), [4]);
  assert.equal(chunkBounds([[5, 6]], 3), []);
});

t('recomputed in small chunks by three connections at once, the report is the one a single connection makes', () =>
  withTrail('verify_chunks', async (trail) => {
    const [a, b] = trail.ids;
    await tamper(trail.db.pool, 'audit.events', async (c) => {
      await c.query('UPDATE audit.events SET metadata = $1 WHERE id = $2', [{ n: 99 }, a[1]]);
      await c.query('DELETE FROM audit.events WHERE id = $1', [b[2]]);
    });
    const forged = await trail.db.pool.query(`INSERT INTO audit.events (id, tx_id, action, target_type, actor_type, db_user)
      SELECT $1, tx_id, 'test.forged', 'test', 'user', 'x' FROM audit.events WHERE id = $2 RETURNING id`, [Number(a[4]) + 1_000_000, a[0]]);
    const run = async (helpers: number, chunkEvents?: number) => {
      const main = await trail.db.pool.connect();
      const extra = await Promise.all(Array.from({ length: helpers }, () => trail.db.pool.connect()));
      try {
        return await verifyTrail(main, { keys: [trail.key.fingerprint], helpers: extra, chunkEvents });
      } finally {
        main.release();
        for (const c of extra) c.release();
      }
    };
    const single = await run(0);
    const chunked = await run(2, 2);
    assert.equal(kinds(single), [`altered@1:${a[1]}`, `inserted@1:${forged.rows[0].id}`, `missing@2:${b[2]}`], 'positive control: the tampering is found');
    assert.equal(kinds(chunked), kinds(single));
    assert.is(chunked.events, single.events);
  }));

t('usage errors: one line, exit 2', () =>
  withTrail('verify_usage', async (trail) => {
    for (const [args, pattern] of [
      [['--from', 'yesterday'], /^pgtrail: from: "yesterday" is not a date or time/],
      [['--from', '2026-02-30'], /^pgtrail: from: "2026-02-30" is not a calendar date/],
      [['--from', '2026-03-02', '--to', '2026-03-01'], /^pgtrail: from: must be before to/],
      [['--key', 'abc'], /^pgtrail: --key "abc" is not a key fingerprint/],
      [['--head', '2:abc'], /^pgtrail: --head "2:abc" is not a chain head \(SEQ:HASH/],
      [['--jobs', '0'], /^pgtrail: --jobs "0" must be a whole number from 1 to 16/],
      [['extra'], /^pgtrail: verify takes no arguments/],
    ] as Array<[string[], RegExp]>) {
      const run = await cli(trail.db.url, 'verify', ...args);
      assert.is(run.code, 2, args.join(' '));
      assert.match(run.stderr, pattern);
      assert.ok(run.stderr.trimEnd().split('\n').length <= 2, run.stderr);
    }
    const windowed = await cli(trail.db.url, 'verify', '--from', '2001-01-01', '--to', '2001-01-02', '--json');
    assert.is(windowed.code, 0);
    assert.is(JSON.parse(windowed.stdout).checked, 0, 'no seal has events in 2001');
  }));

t.run();
