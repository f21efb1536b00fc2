// Sealing against real PostgreSQL: seal keys (public half only in the database), which events a
// seal covers when commit order is not id order, the canonical form under hostile session
// settings, two sealers at once, a sealer killed mid-seal, and maintenance that seals when the
// process has a key.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { enableAudit } from '../src/audit/enable.ts';
import { generateSealKey, loadSealKey, type SealKey } from '../src/integrity/keys.ts';
import { sealNow } from '../src/integrity/seal.ts';
import { registerKey } from '../src/integrity/store.ts';
import { verifyTrail } from '../src/integrity/verify.ts';
import { runMaintenance } from '../src/maintenance/run.ts';
import { cli, cliWithEnv } from './helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite('seal');

async function withDb(label: string, work: (db: TestDatabase) => Promise<void>): Promise<void> {
  const db = await createTestDatabase(label);
  try {
    await work(db);
  } finally {
    await db.drop();
  }
}

async function logEvents(db: pg.Pool | pg.ClientBase, n: number, action = 'test.event'): Promise<string[]> {
  const { rows } = await db.query(`SELECT audit.log_event($1, 'test', g::text) AS id FROM generate_series(1, $2) AS g`, [action, n]);
  return rows.map((r) => r.id);
}

async function seal(db: TestDatabase, key: SealKey) {
  const client = await db.pool.connect();
  try {
    return await sealNow(client, key);
  } finally {
    client.release();
  }
}

async function verifyWith(db: TestDatabase, options: Parameters<typeof verifyTrail>[1] = {}) {
  const client = await db.pool.connect();
  try {
    return await verifyTrail(client, options);
  } finally {
    client.release();
  }
}

async function keyed(db: TestDatabase): Promise<SealKey> {
  const key = generateSealKey();
  await registerKey(db.pool, key);
  return key;
}

/** seal seq for every event id: each id must be in exactly one seal. */
async function coverage(db: TestDatabase): Promise<Map<string, string[]>> {
  const { rows } = await db.pool.query(
    `SELECT e.id::text, array_agg(s.seq::text ORDER BY s.seq) FILTER (WHERE s.seq IS NOT NULL) AS seals
       FROM audit.events AS e LEFT JOIN audit.seals AS s ON e.id <@ s.ids GROUP BY e.id`);
  return new Map(rows.map((r) => [r.id, r.seals ?? []]));
}

t('seal-key create --out: a mode-600 PEM file, only the public half in the database, fingerprint printed', () =>
  withDb('seal_key_file', async (db) => {
    const file = join(tmpdir(), `${db.name}.seal.pem`);
    const run = await cli(db.url, 'seal-key', 'create', '--out', file);
    try {
      assert.is(run.code, 0, run.stderr);
      const fingerprint = run.stdout.match(/fingerprint ([0-9a-f]{64})/)?.[1];
      assert.ok(fingerprint, run.stdout);
      assert.is(statSync(file).mode & 0o777, 0o600);
      const key = loadSealKey({ file })!;
      assert.is(key.fingerprint, fingerprint);
      const { rows } = await db.pool.query('SELECT fingerprint, public_key FROM audit.seal_keys');
      assert.equal(rows.map((r) => [r.fingerprint, Buffer.from(r.public_key).toString('hex')]), [[fingerprint, key.publicRaw.toString('hex')]]);
      // The private seed is the last 32 bytes of its PKCS#8 encoding: nowhere in the audit schema.
      const seed = key.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32).toString('hex');
      const dump = (await db.pool.query(`SELECT string_agg(to_jsonb(k)::text, '') AS t FROM audit.seal_keys AS k`)).rows[0].t;
      assert.not.ok(dump.includes(seed), 'the private key is not stored');
      assert.ok(dump.includes(key.publicRaw.toString('hex')), 'positive control: the public key is found the same way');

      const again = await cli(db.url, 'seal-key', 'create', '--out', file);
      assert.is(again.code, 2);
      assert.match(again.stderr, /^pgtrail: .*exists; a key file is never overwritten/);
      assert.is(loadSealKey({ file })!.fingerprint, fingerprint, 'the file is unchanged');
      assert.is((await db.pool.query('SELECT count(*)::int AS n FROM audit.seal_keys')).rows[0].n, 1, 'no second key registered');

      const listed = await cli(db.url, 'seal-key', 'list');
      assert.match(listed.stdout, new RegExp(`^${fingerprint}  \\d{4}-`, 'm'));
    } finally {
      try { unlinkSync(file); } catch { /* not made */ }
    }
  }));

t('seal-key create without --out prints PGTRAIL_SEAL_KEY once; `pgtrail seal` signs with it; no key is exit 2', () =>
  withDb('seal_key_env', async (db) => {
    const run = await cli(db.url, 'seal-key', 'create');
    assert.is(run.code, 0, run.stderr);
    const value = run.stdout.match(/^PGTRAIL_SEAL_KEY=(\S+)$/m)?.[1];
    assert.ok(value, run.stdout);
    await logEvents(db.pool, 3);
    const sealed = await cliWithEnv(db.url, { PGTRAIL_SEAL_KEY: value }, 'seal');
    assert.is(sealed.code, 0, sealed.stderr);
    assert.match(sealed.stdout, /^sealed #1: 3 event\(s\), ids 1–3; hash [0-9a-f]{64}$/m);
    const nothing = await cliWithEnv(db.url, { PGTRAIL_SEAL_KEY: value }, 'seal');
    assert.match(nothing.stdout, /^nothing to seal: no events committed since the last seal$/m);

    const none = await cli(db.url, 'seal');
    assert.is(none.code, 2);
    assert.match(none.stderr, /^pgtrail: no seal key: set PGTRAIL_SEAL_KEY or PGTRAIL_SEAL_KEY_FILE\n/);
    const bad = await cliWithEnv(db.url, { PGTRAIL_SEAL_KEY: 'bm90IGEga2V5' }, 'seal');
    assert.is(bad.code, 2);
    assert.match(bad.stderr, /^pgtrail: PGTRAIL_SEAL_KEY is not an Ed25519 private key/);
    const unregistered = await cliWithEnv(db.url, { PGTRAIL_SEAL_KEY: generateSealKey().privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url') }, 'seal');
    assert.is(unregistered.code, 2);
    assert.match(unregistered.stderr, /^pgtrail: the seal key [0-9a-f]{64} is not registered in this database/);
    assert.is((await db.pool.query('SELECT count(*)::int AS n FROM audit.seals')).rows[0].n, 1);
  }));

t('a transaction held open across two seals is sealed once, by the seal after its commit; verify passes throughout', () =>
  withDb('seal_long_tx', async (db) => {
    const key = await keyed(db);
    const long = await db.pool.connect();
    try {
      await logEvents(db.pool, 2, 'test.before');
      await long.query('BEGIN');
      const [held] = await logEvents(long, 1, 'test.held'); // drawn before everything below
      const after = await logEvents(db.pool, 3, 'test.after');
      assert.ok(Number(held) < Number(after[0]));

      const first = await seal(db, key);
      assert.ok(first.sealed && first.count === 5, JSON.stringify(first));
      let cov = await coverage(db);
      assert.equal(cov.get(held), undefined, 'invisible, so not in the map');
      assert.ok(after.every((id) => cov.get(id)?.join() === '1'));

      await logEvents(db.pool, 1, 'test.later');
      const second = await seal(db, key);
      assert.ok(second.sealed && second.count === 1);
      const midway = await verifyWith(db);
      assert.ok(midway.ok, `an open transaction is not a finding: ${JSON.stringify(midway.findings)}`);

      await long.query('COMMIT');
      const committed = await verifyWith(db);
      assert.ok(committed.ok, `committed, not sealed yet, is not a finding either: ${JSON.stringify(committed.findings)}`);
      const third = await seal(db, key);
      assert.ok(third.sealed && third.count === 1 && third.firstId === Number(held), 'the late commit is sealed next, with its old id');
      cov = await coverage(db);
      for (const [id, seals] of cov) assert.is(seals.length, 1, `event ${id} is in exactly one seal (${seals})`);
      assert.equal(cov.get(held), ['3']);
      const final = await verifyWith(db, { keys: [key.fingerprint] });
      assert.ok(final.ok, JSON.stringify(final.findings));
      assert.is(final.events, 7);
    } finally {
      await long.query('ROLLBACK').catch(() => {});
      long.release();
    }
  }));

t('the hashed form is the same bytes whatever the writer\'s and verifier\'s TimeZone, DateStyle, IntervalStyle, float digits, bytea output', () =>
  withDb('seal_canonical', async (db) => {
    await db.pool.query(`CREATE TABLE public.odd (id int PRIMARY KEY, at timestamptz, d date, span interval, f float8, r real,
                           n numeric, b bytea, m money, tags text[], doc jsonb, note text)`);
    await enableAudit(db.pool, { schema: 'public', table: 'odd' }, {});
    const writer = new pg.Client({ connectionString: db.url, options: '-c TimeZone=Pacific/Chatham -c DateStyle=SQL,DMY -c IntervalStyle=sql_standard -c extra_float_digits=-3 -c bytea_output=escape' });
    await writer.connect();
    try {
      await writer.query(`INSERT INTO public.odd VALUES (1, '2024-02-29 23:59:59.123456+13:45', '2024-02-29', '1 year 2 mons 3 days 04:05:06.7', 0.1, 1.5e-7,
                          123.4500, '\\x00ff27', 12.34, '{a,"b c",NULL}', '{"z": 1.10, "a": [1, "x\\"y"]}', 'é ü 😀 \\ "')`);
      await writer.query(`UPDATE public.odd SET f = 2.5e300, note = E'tab\\tnew\\nline' WHERE id = 1`);
    } finally {
      await writer.end();
    }
    const forms = async (options: string) => {
      const c = new pg.Client({ connectionString: db.url, options });
      await c.connect();
      try {
        // The row events of public.odd (enabling it is an audit.enable event of its own).
        return (await c.query('SELECT audit.event_form(e) AS f, encode(audit.event_digest(e), \'hex\') AS d FROM audit.events AS e WHERE target_type = \'public.odd\' ORDER BY id')).rows;
      } finally {
        await c.end();
      }
    };
    const plain = await forms('-c TimeZone=UTC');
    const odd = await forms('-c TimeZone=America/St_Johns -c DateStyle=German,YMD -c IntervalStyle=iso_8601 -c extra_float_digits=0 -c lc_monetary=C -c bytea_output=escape');
    assert.is(plain.length, 2);
    assert.equal(odd, plain);
    assert.match(plain[0].f, /^\[1, \d+, "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", \d+, "insert", "public.odd"/);

    const key = await keyed(db);
    await seal(db, key);
    const run = await cliWithEnv(db.url, { PGOPTIONS: '-c TimeZone=Asia/Kathmandu -c DateStyle=Postgres,MDY -c IntervalStyle=postgres_verbose -c extra_float_digits=-15' },
      'verify', '--key', key.fingerprint);
    assert.is(run.code, 0, run.stdout + run.stderr);
    // The two row events and the audit.enable event of public.odd.
    assert.match(run.stdout, /^verified: 1 seal\(s\), 1 recomputed, 3 event\(s\)/);
  }));

t('two sealers at once: one seals, the other finds nothing left; no duplicate seal', () =>
  withDb('seal_two', async (db) => {
    const key = await keyed(db);
    await logEvents(db.pool, 50);
    const outcomes = await Promise.all([seal(db, key), seal(db, key)]);
    assert.equal(outcomes.map((o) => o.sealed).sort(), [false, true]);
    assert.is((await db.pool.query('SELECT count(*)::int AS n FROM audit.seals')).rows[0].n, 1);
    for (const [, seals] of await coverage(db)) assert.is(seals.length, 1);
  }));

t('a sealer killed mid-seal leaves no half seal; the next run seals the same events', () =>
  withDb('seal_killed', async (db) => {
    const key = await keyed(db);
    await logEvents(db.pool, 10);
    // Hold the seals table so the sealer stops at its INSERT, then terminate it there.
    const blocker = await db.pool.connect();
    const sealer = new pg.Client({ connectionString: db.url, application_name: 'pgtrail-test-sealer' });
    await sealer.connect();
    sealer.on('error', () => {});
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE audit.seals IN EXCLUSIVE MODE');
      const running = sealNow(sealer, key).then(() => 'sealed', (e: Error) => e.message);
      let waiting = false;
      for (let i = 0; i < 500 && !waiting; i++) {
        const { rows } = await db.pool.query(`SELECT wait_event_type FROM pg_stat_activity WHERE application_name = 'pgtrail-test-sealer' AND datname = current_database()`);
        waiting = rows[0]?.wait_event_type === 'Lock';
        if (!waiting) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(waiting, 'the sealer reached its INSERT and waits');
      await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgtrail-test-sealer' AND datname = current_database()`);
      assert.match(await running, /terminat/i);
      await blocker.query('ROLLBACK');
    } finally {
      blocker.release();
      await sealer.end().catch(() => {});
    }
    assert.is((await db.pool.query('SELECT count(*)::int AS n FROM audit.seals')).rows[0].n, 0, 'no half seal');
    const next = await seal(db, key);
    assert.ok(next.sealed && next.seq === '1' && next.count === 10, JSON.stringify(next));
  }));

t('maintenance seals when the process has a key, and only then', () =>
  withDb('seal_maintenance', async (db) => {
    const key = await keyed(db);
    await logEvents(db.pool, 4);
    await runMaintenance(db.pool);
    assert.is((await db.pool.query('SELECT count(*)::int AS n FROM audit.seals')).rows[0].n, 0, 'no key: nothing sealed');
    const client = await db.pool.connect();
    try {
      const result = await runMaintenance(client, undefined, { sealKey: key });
      assert.ok(Array.isArray(result));
    } finally {
      client.release();
    }
    const { rows } = await db.pool.query('SELECT seq::text, event_count::int AS n FROM audit.seals');
    assert.equal(rows, [{ seq: '1', n: 4 }]);
  }));

t.run();
