// `pgtrail status` says, in one line, when seals are configured but sealing is not keeping up:
// no seal key for this process, a key that is not registered, or events older than two
// maintenance intervals that no seal covers. Judged at a given time, never by waiting.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSealKey, privateEnvValue } from '../src/integrity/keys.ts';
import { sealHealth } from '../src/integrity/seal-health.ts';
import { sealNow } from '../src/integrity/seal.ts';
import { registerKey } from '../src/integrity/store.ts';
import { cli, cliWithEnv } from './helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('seal-health');
const key = generateSealKey();
const later = (hours: number) => new Date(Date.now() + hours * 3600_000);

// A database per test holding one event: each test registers and seals what it needs itself.
t.before.each(async (ctx) => {
  ctx.db = await createTestDatabase('seal_health');
  await ctx.db.pool.query(`SELECT audit.log_event('test.event', 'test', '1')`);
});
t.after.each(async (ctx) => ctx.db?.drop());

async function seal(db: TestDatabase) {
  const client = await db.pool.connect();
  try {
    return await sealNow(client, key);
  } finally {
    client.release();
  }
}

/** The key registered, seal #1 over the first event, then one event recorded after it. */
async function sealedThenOneMore(db: TestDatabase): Promise<void> {
  await registerKey(db.pool, key);
  assert.ok((await seal(db)).sealed, 'seal #1 made');
  await db.pool.query(`SELECT audit.log_event('test.event', 'test', '2')`);
}

t('no seal key registered: sealing is not configured, nothing to say, even with old unsealed events', async ({ db }) => {
  assert.is(await sealHealth(db.pool, { key: null, maintenanceMinutes: 60, now: later(5) }), null);
});

t('registered, nothing sealed yet, events older than two intervals: says so', async ({ db }) => {
  await registerKey(db.pool, key);
  const line = await sealHealth(db.pool, { key, maintenanceMinutes: 60, now: later(3) });
  assert.match(line!, /^seals: nothing is sealed yet, and events recorded more than 120 minutes \(two maintenance intervals\) ago are waiting$/);
  assert.is(await sealHealth(db.pool, { key, maintenanceMinutes: 60, now: later(1) }), null, 'control: within two intervals');
});

t('sealed up to now: nothing to say; events recorded after the newest seal and older than two intervals: the seal is older than expected', async ({ db }) => {
  await registerKey(db.pool, key);
  const outcome = await seal(db);
  assert.ok(outcome.sealed);
  assert.is(await sealHealth(db.pool, { key, maintenanceMinutes: 60, now: later(5) }), null, 'every event is sealed');
  await db.pool.query(`SELECT audit.log_event('test.event', 'test', '2')`);
  assert.is(await sealHealth(db.pool, { key, maintenanceMinutes: 60, now: later(1.5) }), null, 'control: not yet overdue');
  const line = await sealHealth(db.pool, { key, maintenanceMinutes: 60, now: later(2.5) });
  assert.match(line!, /^seals: the newest seal #1 \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\) is older than expected: events recorded more than 120 minutes/);
  assert.match((await sealHealth(db.pool, { key, maintenanceMinutes: 10, now: later(0.5) }))!, /more than 20 minutes/, 'the window follows the interval');
});

t('no seal key in this process, a key that cannot be loaded, or one not registered: one line each', async ({ db }) => {
  await sealedThenOneMore(db);
  assert.match((await sealHealth(db.pool, { key: null, maintenanceMinutes: 60 }))!, /^seals: no seal key is available to this process \(PGTRAIL_SEAL_KEY or PGTRAIL_SEAL_KEY_FILE\), so it cannot seal$/);
  assert.match((await sealHealth(db.pool, { key: null, keyError: 'cannot read the seal key file /x', maintenanceMinutes: 60 }))!, /^seals: the seal key cannot be loaded \(cannot read the seal key file \/x\)$/);
  const other = generateSealKey();
  assert.match((await sealHealth(db.pool, { key: other, maintenanceMinutes: 60 }))!, new RegExp(`^seals: this process's seal key ${other.fingerprint.slice(0, 12)}… is not registered`));
  const both = await sealHealth(db.pool, { key: null, maintenanceMinutes: 60, now: later(5) });
  assert.match(both!, /^seals: the newest seal #1 .* older than expected: .*; no seal key is available/);
  assert.not.match(both!, /\n/, 'one line');
});

t('pgtrail status: the seal line under the table; with --json on stderr, the JSON untouched; with the key, no line', async ({ db }) => {
  await sealedThenOneMore(db);
  const run = await cli(db.url, 'status');
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /\nseals: no seal key is available to this process/);
  const json = await cli(db.url, 'status', '--json');
  assert.is(json.code, 0, json.stderr);
  assert.ok(Array.isArray(JSON.parse(json.stdout)));
  assert.match(json.stderr, /^seals: no seal key is available to this process[^\n]*\n$/);
  const withKey = await cliWithEnv(db.url, { PGTRAIL_SEAL_KEY: privateEnvValue(key) }, 'status');
  assert.is(withKey.code, 0, withKey.stderr);
  assert.not.match(withKey.stdout, /seals:/, 'control: the key is there and the newest event is recent');
  const broken = await cliWithEnv(db.url, { PGTRAIL_SEAL_KEY_FILE: '/nonexistent/seal.key' }, 'status');
  assert.is(broken.code, 0, broken.stderr);
  assert.match(broken.stdout, /seals: the seal key cannot be loaded \(cannot read the seal key file \/nonexistent\/seal\.key/);
});

t.run();
