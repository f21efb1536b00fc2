// enable is idempotent, disable removes everything, status tells current / outdated / missing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { disableAudit, enableAudit } from '../src/audit/enable.ts';
import { auditStatus } from '../src/audit/status.ts';
import { TEMPLATE_VERSION } from '../src/generator/render.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('status');
const contacts = { schema: 'public', table: 'contacts' };

// A database per test with the contacts table: no test reads what an earlier one enabled or broke.
t.before.each(async (ctx) => {
  ctx.db = await createTestDatabase('status');
  await ctx.db.pool.query(`CREATE TABLE contacts (id int PRIMARY KEY, email text, secret text)`);
});
t.after.each(async (ctx) => ctx.db?.drop());

/** contacts audited with `secret` redacted, and current. */
async function auditedContacts(db: TestDatabase): Promise<void> {
  assert.is((await enableAudit(db.pool, contacts, { redact: ['secret'] })).outcome, 'created');
  assert.is((await stateOf(db))?.state, 'current', 'current before the change under test');
}

/** A table without a primary key, audited. */
async function auditedKeyless(db: TestDatabase): Promise<void> {
  await db.pool.query(`CREATE TABLE keyless (a int)`);
  await enableAudit(db.pool, { schema: 'public', table: 'keyless' }, {});
}

async function stateOf(db: TestDatabase) {
  return (await auditStatus(db.pool)).find((s) => s.table === 'public.contacts');
}

t('enable is idempotent: the same options again change nothing', async ({ db }) => {
  assert.is((await enableAudit(db.pool, contacts, { redact: ['secret'] })).outcome, 'created');
  assert.is((await enableAudit(db.pool, contacts, { redact: ['secret'] })).outcome, 'unchanged');
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = 'contacts'::regclass AND NOT tgisinternal`);
  assert.is(rows[0].n, 4);
  assert.equal((await stateOf(db))?.state, 'current');
});

t('different options on an audited table are refused unless replace is asked for', async ({ db }) => {
  await auditedContacts(db);
  await enableAudit(db.pool, contacts, { exclude: ['secret'] }).then(
    () => assert.unreachable('accepted different options'),
    (error) => assert.match(error.message, /already audited with different options/),
  );
  assert.equal((await stateOf(db))?.options.redact, ['secret'], 'nothing changed');
  await enableAudit(db.pool, contacts, { exclude: ['secret'] }, true);
  assert.equal((await stateOf(db))?.options.exclude, ['secret']);
  await enableAudit(db.pool, contacts, { redact: ['secret'] }, true);
});

t('missing: someone dropped a trigger by hand', async ({ db }) => {
  await auditedContacts(db);
  await db.pool.query(`DROP TRIGGER pgtrail_update ON contacts`);
  const state = await stateOf(db);
  assert.is(state?.state, 'missing');
  assert.match(state!.reason!, /update/);
  await enableAudit(db.pool, contacts, { redact: ['secret'] });
  assert.is((await stateOf(db))?.state, 'current', 'enable again repairs it');
});

t('outdated: the primary key changed', async ({ db }) => {
  await auditedContacts(db);
  await db.pool.query(`ALTER TABLE contacts DROP CONSTRAINT contacts_pkey, ADD PRIMARY KEY (id, email)`);
  const state = await stateOf(db);
  assert.is(state?.state, 'outdated');
  assert.match(state!.reason!, /table changed/);
  assert.is((await enableAudit(db.pool, contacts, { redact: ['secret'] })).outcome, 'updated');
  const now = await stateOf(db);
  assert.is(now?.state, 'current');
  assert.equal(now?.key_columns, ['id', 'email']);
});

t('outdated: a column was added', async ({ db }) => {
  await auditedContacts(db);
  await db.pool.query(`ALTER TABLE contacts ADD COLUMN phone text`);
  assert.is((await stateOf(db))?.state, 'outdated');
  await enableAudit(db.pool, contacts, { redact: ['secret'] });
});

t('outdated: installed from another template version', async ({ db }) => {
  await auditedContacts(db);
  // As if installed by an older pgtrail whose template was v0.
  await db.pool.query(`UPDATE audit.audited_tables SET template_version = 0`);
  const state = await stateOf(db);
  assert.is(state?.state, 'outdated');
  assert.match(state!.reason!, new RegExp(`template v0, current is v${TEMPLATE_VERSION}`));
  await enableAudit(db.pool, contacts, { redact: ['secret'] });
});

t('outdated: the trigger was replaced outside pgtrail', async ({ db }) => {
  await auditedContacts(db);
  await db.pool.query(`COMMENT ON TRIGGER pgtrail_insert ON contacts IS 'hand-edited'`);
  assert.is((await stateOf(db))?.state, 'outdated');
  await enableAudit(db.pool, contacts, { redact: ['secret'] });
  assert.is((await stateOf(db))?.state, 'current');
});

t('outdated: a redacted column was dropped (the options no longer fit the table)', async ({ db }) => {
  await auditedContacts(db);
  await db.pool.query(`ALTER TABLE contacts DROP COLUMN secret`);
  const state = await stateOf(db);
  assert.is(state?.state, 'outdated');
  assert.match(state!.reason!, /column "secret" does not exist/);
});

t('tables without a key report an empty key (target_id is NULL)', async ({ db }) => {
  await auditedKeyless(db);
  assert.equal((await auditStatus(db.pool)).find((s) => s.table === 'public.keyless')?.key_columns, []);
});

t('disable removes every object enable created; recorded events stay', async ({ db }) => {
  await auditedContacts(db);
  await auditedKeyless(db);
  await db.pool.query(`INSERT INTO keyless VALUES (1)`);
  await disableAudit(db.pool, { schema: 'public', table: 'keyless' });
  await disableAudit(db.pool, contacts);
  const { rows } = await db.pool.query(`
    SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'pgtrail_%')::int AS triggers,
           (SELECT count(*) FROM pg_proc WHERE pronamespace = 'audit'::regnamespace AND proname LIKE 'capture_%')::int AS functions,
           (SELECT count(*) FROM audit.audited_tables)::int AS registered,
           (SELECT count(*) FROM audit.events WHERE target_type = 'public.keyless')::int AS events`);
  assert.equal(rows[0], { triggers: 0, functions: 0, registered: 0, events: 1 });
  await disableAudit(db.pool, contacts).then(
    () => assert.unreachable('disable of a table that is not audited'),
    (error) => assert.match(error.message, /is not audited/),
  );
});

t.run();
