// Capture that went off is itself on the record: enable, option changes and disable
// are audit events written in the transaction that changes the triggers, whichever path ran them;
// DDL on an audited table is an audit.ddl event where the event triggers could be installed
// (superuser), and `pgtrail migrate` says when they could not.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import { randomBytes } from 'node:crypto';
import { disableAudit, enableAudit } from '../src/audit/enable.ts';
import { ddlCaptureText, ensureDdlCapture } from '../src/audit/ddl-capture.ts';
import { TEMPLATE_VERSION } from '../src/generator/render.ts';
import { cli } from './helpers/cli.ts';
import { createTestDatabase, withAdmin, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase; admin: string }>('capture-events');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('capture_events');
  ctx.admin = (await ctx.db.pool.query('SELECT current_user AS u')).rows[0].u;
});
t.after(async (ctx) => ctx.db?.drop());

/** The capture-change events since `after` (an event id), oldest first. */
async function changes(db: TestDatabase, after: number) {
  const { rows } = await db.pool.query(
    `SELECT id::int, action, target_type, target_id, actor_type, actor_id, db_user, metadata FROM audit.events
      WHERE id > $1 AND action IN ('audit.enable', 'audit.disable', 'audit.options_change', 'audit.ddl') ORDER BY id`,
    [after],
  );
  return rows;
}
async function lastId(db: TestDatabase): Promise<number> {
  return (await db.pool.query('SELECT coalesce(max(id), 0)::int AS id FROM audit.events')).rows[0].id;
}

let n = 0;
async function freshTable(db: TestDatabase, audited = true) {
  const table = `ce_${++n}`;
  await db.pool.query(`CREATE TABLE ${table} (id int PRIMARY KEY, email text, secret text)`);
  if (audited) await enableAudit(db.pool, { schema: 'public', table }, {});
  return { name: { schema: 'public', table }, display: `public.${table}` };
}

t('the event triggers are installed in a database migrated by a superuser', async ({ db }) => {
  const { rows } = await db.pool.query(`SELECT evtname, evtevent, evtenabled FROM pg_event_trigger WHERE evtname LIKE 'pgtrail\\_%' ORDER BY 1`);
  assert.equal(rows, [
    { evtname: 'pgtrail_ddl_drop', evtevent: 'sql_drop', evtenabled: 'O' },
    { evtname: 'pgtrail_ddl_end', evtevent: 'ddl_command_end', evtenabled: 'O' },
  ]);
});

t('pgtrail enable: exactly one audit.enable event with table, options, template version and the role as actor', async ({ db, admin }) => {
  const { name, display } = await freshTable(db, false);
  const before = await lastId(db);
  await enableAudit(db.pool, name, { redact: ['secret'] });
  const events = await changes(db, before);
  assert.is(events.length, 1, JSON.stringify(events));
  const [e] = events;
  assert.is(e.action, 'audit.enable');
  assert.is(e.target_type, 'audit.audited_tables');
  assert.is(e.target_id, display);
  assert.is(e.actor_type, 'db_role');
  assert.is(e.actor_id, admin);
  assert.is(e.metadata.table, display);
  assert.is(e.metadata.outcome, 'created');
  assert.equal(e.metadata.new_options.redact, ['secret']);
  assert.is(e.metadata.old_options, undefined);
  assert.is(e.metadata.template_version, TEMPLATE_VERSION);
  assert.match(e.metadata.sql_hash, /^[0-9a-f]{64}$/);
});

t('the event is written in the transaction of the trigger change: rolled back, neither trigger nor event (committed: both)', async ({ db }) => {
  const { name, display } = await freshTable(db, false);
  const before = await lastId(db);
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await enableAudit(client, name, {});
    const inside = await client.query(`SELECT count(*)::int AS n FROM audit.events WHERE id > $1 AND action = 'audit.enable' AND target_id = $2`, [before, display]);
    assert.is(inside.rows[0].n, 1, 'the event exists inside the transaction');
    await client.query('ROLLBACK');
  } finally {
    client.release();
  }
  const triggers = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname LIKE 'pgtrail\\_%'`, [display])).rows[0].n;
  assert.is(await triggers(), 0);
  assert.equal(await changes(db, before), []);
  await enableAudit(db.pool, name, {});
  assert.is(await triggers(), 4, 'positive control: committed, the triggers are there');
  assert.equal((await changes(db, before)).map((e) => e.action), ['audit.enable']);
});

t('enable again unchanged: no event; after a schema change: audit.enable outcome updated; other options: one audit.options_change', async ({ db }) => {
  const { name } = await freshTable(db);
  let before = await lastId(db);
  assert.is((await enableAudit(db.pool, name, {})).outcome, 'unchanged');
  let events = await changes(db, before);
  assert.equal(events, [], 'an idempotent re-run changes nothing and records nothing');

  await db.pool.query(`ALTER TABLE ${name.table} ADD COLUMN phone text`);
  before = await lastId(db);
  assert.is((await enableAudit(db.pool, name, {})).outcome, 'updated');
  events = await changes(db, before);
  assert.equal(events.map((e) => [e.action, e.metadata.outcome]), [['audit.enable', 'updated']], 'positive control: a re-render is recorded');

  before = await lastId(db);
  await enableAudit(db.pool, name, { exclude: ['secret'] }, true);
  events = await changes(db, before);
  assert.is(events.length, 1, JSON.stringify(events));
  assert.is(events[0].action, 'audit.options_change');
  assert.equal(events[0].metadata.old_options.exclude, []);
  assert.equal(events[0].metadata.new_options.exclude, ['secret']);
  assert.is(events[0].metadata.old_template_version, TEMPLATE_VERSION);
});

t('pgtrail disable: exactly one audit.disable event with the options it had', async ({ db, admin }) => {
  const { name, display } = await freshTable(db);
  const before = await lastId(db);
  await disableAudit(db.pool, name);
  const events = await changes(db, before);
  assert.is(events.length, 1, JSON.stringify(events));
  assert.is(events[0].action, 'audit.disable');
  assert.is(events[0].target_id, display);
  assert.is(events[0].db_user, admin);
  assert.ok(events[0].metadata.old_options, 'the options it was audited with');
  assert.is(events[0].metadata.new_options, undefined);
});

t('the CLI: enable and disable each leave one event', async ({ db }) => {
  const { display } = await freshTable(db, false);
  let before = await lastId(db);
  const enabled = await cli(db.url, 'enable', display, '--on-replica');
  assert.is(enabled.code, 0, enabled.stderr);
  assert.equal((await changes(db, before)).map((e) => e.action), ['audit.enable'], 'ENABLE ALWAYS TRIGGER inside enable is not an audit.ddl');
  before = await lastId(db);
  const disabled = await cli(db.url, 'disable', display);
  assert.is(disabled.code, 0, disabled.stderr);
  assert.equal((await changes(db, before)).map((e) => e.action), ['audit.disable'], 'the triggers dropped by disable are not an audit.ddl');
});

t('the migration helpers: enableAudit / disableAudit in a host migration, up then down, one event each', async ({ db }) => {
  const { display } = await freshTable(db, false);
  const dir = await mkdtemp(join(tmpdir(), 'pgtrail-capture-events-'));
  const helpers = fileURLToPath(new URL('../src/audit/migration-helpers.ts', import.meta.url));
  await writeFile(join(dir, '001_audit.ts'), `import { enableAudit, disableAudit } from ${JSON.stringify(helpers)};
export async function up(pgm) { await enableAudit(pgm, ${JSON.stringify(display)}, { ignore: ['email'] }); }
export async function down(pgm) { await disableAudit(pgm, ${JSON.stringify(display)}); }
`);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const run = (direction: 'up' | 'down') => runner({
    dbClient: client, dir, migrationsTable: 'host_migrations', direction, count: Infinity, log: () => {}, logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  try {
    let before = await lastId(db);
    await run('up');
    let events = await changes(db, before);
    assert.equal(events.map((e) => e.action), ['audit.enable']);
    assert.equal(events[0].metadata.new_options.ignore, ['email']);
    before = await lastId(db);
    await run('down');
    events = await changes(db, before);
    assert.equal(events.map((e) => e.action), ['audit.disable']);
  } finally {
    await client.end();
    await rm(dir, { recursive: true, force: true });
  }
});

// Each DDL statement on an audited table leaves exactly one audit.ddl event naming the command.
const ddlCases: Array<[string, (table: string) => string, string, (table: string) => string]> = [
  ['ALTER TABLE … ADD COLUMN', (x) => `ALTER TABLE ${x} ADD COLUMN phone text`, 'ALTER TABLE', (x) => `public.${x}`],
  ['ALTER TABLE … DISABLE TRIGGER', (x) => `ALTER TABLE ${x} DISABLE TRIGGER pgtrail_insert`, 'ALTER TABLE', (x) => `public.${x}`],
  ['ALTER TABLE … RENAME', (x) => `ALTER TABLE ${x} RENAME TO ${x}_renamed`, 'ALTER TABLE', (x) => `public.${x}_renamed`],
  ['ALTER TRIGGER … RENAME', (x) => `ALTER TRIGGER pgtrail_delete ON ${x} RENAME TO hidden`, 'ALTER TRIGGER', (x) => `hidden on public.${x}`],
  ['DROP TRIGGER', (x) => `DROP TRIGGER pgtrail_update ON ${x}`, 'DROP TRIGGER', (x) => `pgtrail_update on public.${x}`],
  ['DROP TABLE', (x) => `DROP TABLE ${x}`, 'DROP TABLE', (x) => `public.${x}`],
];
for (const [label, statement, tag, identity] of ddlCases) {
  t(`DDL on an audited table: ${label} leaves one audit.ddl event`, async ({ db, admin }) => {
    const { name } = await freshTable(db);
    const before = await lastId(db);
    await db.pool.query(statement(name.table));
    const events = await changes(db, before);
    assert.is(events.length, 1, JSON.stringify(events));
    const [e] = events;
    assert.is(e.action, 'audit.ddl');
    assert.is(e.metadata.command_tag, tag);
    assert.is(e.metadata.object_identity, identity(name.table));
    assert.is(e.actor_id, admin);
  });
}

t('DISABLE TRIGGER: the event carries the capture triggers firing state after it (D for the disabled one)', async ({ db }) => {
  const { name } = await freshTable(db);
  const before = await lastId(db);
  await db.pool.query(`ALTER TABLE ${name.table} DISABLE TRIGGER pgtrail_update`);
  const [e] = await changes(db, before);
  assert.equal(e.metadata.capture_triggers, { pgtrail_insert: 'O', pgtrail_update: 'D', pgtrail_delete: 'O', pgtrail_truncate: 'O' });
});

t('DDL on a table that is not audited, or on another trigger of an audited one, leaves nothing (control: the same on an audited table does)', async ({ db }) => {
  const plain = await freshTable(db, false);
  const audited = await freshTable(db);
  await db.pool.query(`CREATE FUNCTION ce_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`);
  await db.pool.query(`CREATE TRIGGER other AFTER INSERT ON ${audited.name.table} EXECUTE FUNCTION ce_noop()`);
  const before = await lastId(db);
  await db.pool.query(`ALTER TABLE ${plain.name.table} ADD COLUMN phone text`);
  await db.pool.query(`DROP TABLE ${plain.name.table}`);
  await db.pool.query(`DROP TRIGGER other ON ${audited.name.table}`);
  assert.equal(await changes(db, before), []);
  await db.pool.query(`ALTER TABLE ${audited.name.table} ADD COLUMN phone text`);
  assert.equal((await changes(db, before)).map((e) => e.target_id), [audited.display]);
});

t('a table owner who is not a superuser: the DDL is recorded with that role as actor', async ({ db }) => {
  const role = `ce_owner_${randomBytes(3).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw'`));
  const { name, display } = await freshTable(db);
  await db.pool.query(`ALTER TABLE ${name.table} OWNER TO ${role}`);
  const url = new URL(db.url);
  url.username = role;
  url.password = 'pw';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const before = await lastId(db);
    await client.query(`ALTER TABLE ${name.table} DISABLE TRIGGER pgtrail_insert`);
    const events = await changes(db, before);
    assert.equal(events.map((e) => [e.action, e.target_id, e.actor_id]), [['audit.ddl', display, role]]);
  } finally {
    await client.end();
    await withAdmin((c) => c.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`), db.name);
  }
});

t('pgtrail migrate as a role that is not a superuser says it could not install the event triggers; as a superuser it installs them', async ({ db }) => {
  await db.pool.query('DROP EVENT TRIGGER pgtrail_ddl_end; DROP EVENT TRIGGER pgtrail_ddl_drop');
  const role = `ce_mig_${randomBytes(3).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw'`));
  await db.pool.query(`GRANT ALL ON public.pgtrail_migrations TO ${role}; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
  const url = new URL(db.url);
  url.username = role;
  url.password = 'pw';
  try {
    const run = await cli(url.toString(), 'migrate');
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, /nothing to apply/);
    assert.match(run.stderr, new RegExp(`could not install the event triggers that record DDL on audited tables: role ${role} is not a superuser`));
    assert.is(run.stderr.trim().split('\n').length, 1, 'one line');
    const { name } = await freshTable(db);
    const before = await lastId(db);
    await db.pool.query(`ALTER TABLE ${name.table} ADD COLUMN phone text`);
    assert.equal(await changes(db, before), [], 'without the event triggers, DDL is not recorded');

    const asSuperuser = await cli(db.url, 'migrate');
    assert.is(asSuperuser.code, 0, asSuperuser.stderr);
    assert.match(asSuperuser.stdout, /installed event triggers pgtrail_ddl_end and pgtrail_ddl_drop/);
    assert.is(asSuperuser.stderr, '');
    await db.pool.query(`ALTER TABLE ${name.table} DROP COLUMN phone`);
    assert.equal((await changes(db, before)).map((e) => e.action), ['audit.ddl'], 'positive control: now it is');
    const again = await cli(db.url, 'migrate');
    assert.not.match(again.stdout + again.stderr, /event trigger/, 'nothing to say once they are there');
  } finally {
    await withAdmin((c) => c.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`), db.name);
  }
});

t('ensureDdlCapture: a disabled event trigger is reported, not taken for present', async ({ db }) => {
  await db.pool.query('ALTER EVENT TRIGGER pgtrail_ddl_end DISABLE');
  try {
    const result = await ensureDdlCapture(db.pool);
    assert.is(result.state, 'disabled');
    assert.match(ddlCaptureText(result)!, /is disabled/);
  } finally {
    await db.pool.query('ALTER EVENT TRIGGER pgtrail_ddl_end ENABLE');
  }
  assert.is((await ensureDdlCapture(db.pool)).state, 'present');
  assert.is(ddlCaptureText({ state: 'present', role: 'x' }), null);
});

t.run();
