// What the README's "Requirements" and "Uninstall" say, run as written: who may run
// `pgtrail migrate` on a fresh database; `pgtrail uninstall` shows what it would remove and changes
// nothing until confirmed with the database's name, refuses a role that lacks a privilege, and
// leaves the application's tables and rows as they were before pgtrail.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { migrate } from '../src/install/migrate.ts';
import { catalogDump } from './helpers/catalog.ts';
import { cli } from './helpers/cli.ts';
import { createTestDatabase, TEMPLATE_DB, urlFor, withAdmin, type TestDatabase } from './helpers/database.ts';

const t = suite<{ roles: string[]; dbs: TestDatabase[] }>('install-uninstall');

t.before((ctx) => {
  ctx.roles = [];
  ctx.dbs = [];
});
t.after(async (ctx) => {
  for (const db of ctx.dbs) await db.drop();
  await withAdmin(async (c) => {
    const modern = (await serverVersion(c)) >= 160000;
    for (const role of ctx.roles) {
      // PostgreSQL 16+ keeps a membership per grantor: the installer's own re-grant of
      // pgtrail_reader to pgtrail_console (sql/roles/console_role.sql) must go before the role can.
      if (modern) await c.query(`REVOKE pgtrail_reader FROM pgtrail_console GRANTED BY ${role}`).catch(() => {});
      await c.query(`DROP ROLE IF EXISTS ${role}`);
    }
  });
});

async function serverVersion(c: pg.ClientBase): Promise<number> {
  return Number((await c.query(`SELECT current_setting('server_version_num') AS v`)).rows[0].v);
}

/** A fresh, unmigrated database owned by a new login with the given attributes; its URL as that login. */
async function ownedDatabase(ctx: { roles: string[]; dbs: TestDatabase[] }, label: string, attributes: string) {
  const db = await createTestDatabase(label, { migrated: false });
  ctx.dbs.push(db);
  const role = `inst_${randomBytes(3).toString('hex')}`;
  ctx.roles.push(role);
  await withAdmin(async (c) => {
    await c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw' ${attributes}`);
    await c.query(`ALTER DATABASE ${db.name} OWNER TO ${role}`);
  });
  // PostgreSQL 15+: public's CREATE is the database owner's (pg_database_owner).
  const url = new URL(urlFor(db.name));
  url.username = role;
  url.password = 'pw';
  return { db, role, url: url.toString() };
}

t('pgtrail migrate as a database owner without CREATEROLE: exit 2, one line saying what it needs', async (ctx) => {
  const { url } = await ownedDatabase(ctx, 'inst_plain', 'NOSUPERUSER NOCREATEROLE');
  const run = await cli(url, 'migrate');
  assert.is(run.code, 2, run.stderr);
  assert.match(run.stderr, /cannot install the audit schema/);
  assert.match(run.stderr, /superuser|CREATEROLE/);
});

t('pgtrail migrate as a database owner with CREATEROLE where the roles exist: 16+ needs ADMIN OPTION on them first', async (ctx) => {
  const { db, role, url } = await ownedDatabase(ctx, 'inst_createrole', 'NOSUPERUSER CREATEROLE');
  // The cluster already has pgtrail's roles (the template database installed them, as a superuser).
  const version = await withAdmin(serverVersion);
  const before = await cli(url, 'migrate');
  if (version >= 160000) {
    // CREATEROLE no longer lets a role grant membership in roles it did not create.
    assert.is(before.code, 2, before.stderr);
    assert.match(before.stderr, /cannot install the audit schema: permission denied to grant role "pgtrail_owner"/);
    assert.is(await db.pool.query(`SELECT to_regnamespace('audit') AS s`).then((r) => r.rows[0].s), null, 'nothing was installed');
    await withAdmin((c) => c.query(`GRANT pgtrail_owner, pgtrail_reader, pgtrail_console TO ${role} WITH ADMIN OPTION`));
    const run = await cli(url, 'migrate');
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, /applied 0001_core/);
  } else {
    assert.is(before.code, 0, before.stderr); // 15: CREATEROLE may grant any non-superuser role
    assert.match(before.stdout, /applied 0001_core/);
  }
  const { rows } = await db.pool.query(`SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = 'audit'`);
  assert.is(rows[0].owner, 'pgtrail_owner');
  const status = await cli(url, 'status');
  assert.is(status.code, 0, status.stderr);
});

/**
 * What the application sees of its own database, whole: its schemas' catalog (columns,
 * constraints, indexes, triggers, grants), every row of its tables, and the database-wide objects
 * pgtrail could leave behind (schemas, event triggers, extensions).
 */
async function applicationShape(db: TestDatabase): Promise<Record<string, unknown>> {
  const client = await db.pool.connect();
  try {
    const q = async (sql: string) => (await client.query(sql)).rows;
    return {
      catalog: await catalogDump(client, ['public', 'app']),
      contacts: await q('SELECT * FROM public.contacts ORDER BY id'),
      orders: await q('SELECT * FROM app.orders ORDER BY id'),
      sequence: await q(`SELECT last_value, is_called FROM app.orders_id_seq`),
      schemas: (await q(`SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY 1`)).map((r) => r.nspname),
      eventTriggers: (await q('SELECT evtname FROM pg_event_trigger ORDER BY 1')).map((r) => r.evtname),
      extensions: (await q('SELECT extname FROM pg_extension ORDER BY 1')).map((r) => r.extname),
      publicTables: (await q(`SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1`)).map((r) => r.relname),
    };
  } finally {
    client.release();
  }
}

/** An application's database before pgtrail: two schemas, a foreign key, a sequence, a grant, rows. */
async function applicationDatabase(ctx: { dbs: TestDatabase[] }, label: string): Promise<TestDatabase> {
  const db = await createTestDatabase(label, { migrated: false });
  ctx.dbs.push(db);
  await db.pool.query(`
    CREATE TABLE public.contacts (id int PRIMARY KEY, email text NOT NULL UNIQUE);
    CREATE SCHEMA app;
    CREATE TABLE app.orders (id serial PRIMARY KEY, contact int REFERENCES public.contacts, note text DEFAULT 'none');
    CREATE INDEX orders_contact ON app.orders (contact);
    GRANT SELECT ON app.orders TO PUBLIC;
    INSERT INTO public.contacts VALUES (1, 'a@example.com'), (2, 'b@example.com');
    INSERT INTO app.orders (contact, note) VALUES (1, 'first'), (2, 'second')`);
  return db;
}

/** pgtrail's own objects in the database, as catalogDump reads them, and its row counts. */
async function pgtrailShape(db: TestDatabase) {
  const client = await db.pool.connect();
  try {
    const { rows } = await client.query(`SELECT (SELECT count(*)::int FROM audit.events) AS events,
      (SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'public.contacts'::regclass AND NOT tgisinternal) AS triggers,
      (SELECT count(*)::int FROM public.pgtrail_migrations) AS migrations`);
    return { catalog: await catalogDump(client), ...rows[0] };
  } finally {
    client.release();
  }
}

t('uninstall without --confirm prints what it would do and changes nothing (exit 2); a wrong --confirm is refused', async (ctx) => {
  const db = await applicationDatabase(ctx, 'uninstall_plan');
  assert.is((await cli(db.url, 'migrate')).code, 0);
  for (const table of ['public.contacts', 'app.orders']) assert.is((await cli(db.url, 'enable', table)).code, 0);
  await db.pool.query(`UPDATE public.contacts SET email = 'c@example.com' WHERE id = 1; UPDATE public.contacts SET email = 'a@example.com' WHERE id = 1`);
  const installed = await pgtrailShape(db);
  assert.ok(installed.events >= 2 && installed.triggers > 0, 'positive control: the tables are audited');

  const plan = await cli(db.url, 'uninstall');
  assert.is(plan.code, 2, plan.stderr);
  assert.match(plan.stderr, new RegExp(`^pgtrail: this was a dry run: nothing was changed; run again with --confirm ${db.name} to do it\n`));
  assert.match(plan.stdout, new RegExp(`^pgtrail uninstall would, in database "${db.name}" as role \\w+:\n`));
  assert.match(plan.stdout, /^ {2}disable auditing on 2 tables: app\.orders, public\.contacts$/m);
  assert.match(plan.stdout, new RegExp(`^  delete ${installed.events} events and 0 seals \\(schema audit\\), 0 console users and 0 API tokens \\(schema console\\)$`, 'm'));
  assert.match(plan.stdout, new RegExp(`^  revert ${installed.migrations} migrations \\(0013_activity … 0001_core\\), dropping the schemas console and audit$`, 'm'));
  assert.match(plan.stdout, /^ {2}drop the event triggers pgtrail_ddl_drop, pgtrail_ddl_end$/m);
  // The cluster's other databases (the suites' template among them) use pgtrail's roles.
  for (const role of ['pgtrail_console', 'pgtrail_reader', 'pgtrail_owner']) {
    assert.match(plan.stdout, new RegExp(`^  keep the role ${role}: databases .*"${TEMPLATE_DB}".* use it$`, 'm'));
  }
  assert.match(plan.stdout, /^ {2}drop the bookkeeping table public\.pgtrail_migrations$/m);
  assert.equal(await pgtrailShape(db), installed, 'the dry run changed nothing');

  const json = await cli(db.url, 'uninstall', '--json');
  assert.is(json.code, 2);
  const report = JSON.parse(json.stdout);
  assert.is(report.done, null);
  assert.equal(report.plan.tables, ['app.orders', 'public.contacts']);
  assert.is(report.plan.events, installed.events);
  assert.equal(report.plan.missing, []);

  const wrong = await cli(db.url, 'uninstall', '--confirm', 'production');
  assert.is(wrong.code, 2, wrong.stderr);
  assert.match(wrong.stderr, new RegExp(`^pgtrail: --confirm "production" is not this database: DATABASE_URL names "${db.name}"\n`));
  assert.is(wrong.stdout, '');
  const empty = await cli(db.url, 'uninstall', '--confirm', '');
  assert.is(empty.code, 2);
  assert.match(empty.stderr, /^pgtrail: uninstall: --confirm needs the name of the database\n/);
  assert.equal(await pgtrailShape(db), installed, 'refused: nothing changed');

  // Positive control: the same database, confirmed, is cleaned (the next test shows how clean).
  const run = await cli(db.url, 'uninstall', '--confirm', db.name);
  assert.is(run.code, 0, run.stderr);
  assert.is((await db.pool.query(`SELECT to_regnamespace('audit') AS s`)).rows[0].s, null);
});

t('uninstall refuses while application objects depend on pgtrail (DROP SCHEMA … CASCADE would drop them), naming each; nothing changed', async (ctx) => {
  const db = await applicationDatabase(ctx, 'uninstall_dependents');
  assert.is((await cli(db.url, 'migrate')).code, 0);
  assert.is((await cli(db.url, 'enable', 'public.contacts')).code, 0);
  // What an application may build on pgtrail: a view over the trail, a column default and a column
  // of one of its types. The capture triggers on public.contacts depend on pgtrail too, but
  // uninstall disables them first: they must not be reported.
  await db.pool.query(`
    CREATE VIEW public.recent_changes AS SELECT id, action, target_id FROM audit.events;
    ALTER TABLE app.orders ADD COLUMN placed_by text DEFAULT (audit.current_context()).actor_id`);
  const installed = await pgtrailShape(db);

  const plan = await cli(db.url, 'uninstall');
  assert.is(plan.code, 2, plan.stderr);
  assert.match(plan.stdout, /^cannot: view public\.recent_changes depends on pgtrail's schemas, and dropping them would drop it too: drop or change it first$/m, plan.stdout);
  assert.match(plan.stdout, /^cannot: default value for app\.orders\.placed_by depends on pgtrail's schemas/m);
  assert.not.match(plan.stdout, /^cannot: trigger/m, 'the capture triggers are not in the way');
  assert.not.match(plan.stdout, /are not touched/, 'the plan does not promise what it cannot keep');
  const refused = await cli(db.url, 'uninstall', '--confirm', db.name);
  assert.is(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /^pgtrail: cannot uninstall pgtrail yet: .*view public\.recent_changes depends on pgtrail's schemas/);
  const json = await cli(db.url, 'uninstall', '--confirm', db.name, '--json');
  assert.is(json.code, 2);
  const report = JSON.parse(json.stdout);
  assert.match(report.error, /^cannot uninstall pgtrail yet: /);
  assert.is(report.plan.blockers.length, 2, report.plan.blockers.join('\n'));
  assert.equal(report.done, { disabled: [], unscheduled: null, reverted: [], rolesDropped: [], rolesKept: [], bookkeepingDropped: false });
  assert.equal(await pgtrailShape(db), installed, 'refused: nothing changed');

  // Positive control: with those gone, the same database uninstalls.
  await db.pool.query('DROP VIEW public.recent_changes; ALTER TABLE app.orders ALTER COLUMN placed_by DROP DEFAULT');
  const run = await cli(db.url, 'uninstall', '--confirm', db.name);
  assert.is(run.code, 0, run.stderr);
  assert.is((await db.pool.query(`SELECT to_regnamespace('audit') AS s`)).rows[0].s, null);
  assert.is((await db.pool.query(`SELECT count(*)::int AS n FROM app.orders`)).rows[0].n, 2);
});

t('uninstall --confirm leaves the application exactly as before pgtrail; again: nothing to remove (exit 0); migrate works again', async (ctx) => {
  const db = await applicationDatabase(ctx, 'uninstall_confirm');
  const before = await applicationShape(db);
  assert.is((await cli(db.url, 'migrate')).code, 0);
  for (const table of ['public.contacts', 'app.orders']) assert.is((await cli(db.url, 'enable', table)).code, 0);
  // Writes that are recorded, and leave the rows as they were.
  await db.pool.query(`INSERT INTO public.contacts VALUES (3, 'x@example.com'); DELETE FROM public.contacts WHERE id = 3;
                       UPDATE app.orders SET note = 'changed' WHERE id = 1; UPDATE app.orders SET note = 'first' WHERE id = 1`);
  const { rows: [{ n }] } = await db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE target_type IN ('public.contacts', 'app.orders')`);
  assert.is(n, 4, 'positive control: the tables were audited');
  assert.not.equal(await applicationShape(db), before, 'positive control: installed, the comparison sees pgtrail');

  const run = await cli(db.url, 'uninstall', '--confirm', db.name);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`^pgtrail uninstalled from database "${db.name}":\n`));
  assert.match(run.stdout, /^ {2}disabled auditing on app\.orders, public\.contacts$/m);
  assert.match(run.stdout, /^ {2}reverted 13 migrations: dropped the schemas console and audit with \d+ events, 0 seals, 0 console users and 0 API tokens$/m);
  assert.match(run.stdout, /^ {2}kept the role pgtrail_owner: databases .* use it$/m);
  assert.match(run.stdout, /^ {2}dropped the bookkeeping table public\.pgtrail_migrations$/m);
  assert.equal(await applicationShape(db), before, 'catalog, rows, schemas, event triggers and extensions as before pgtrail');
  const { rows: roles } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname IN ('pgtrail_owner', 'pgtrail_reader', 'pgtrail_console')`);
  assert.is(roles[0].n, 3, 'the roles other databases use are kept');
  await db.pool.query(`UPDATE public.contacts SET email = 'b2@example.com' WHERE id = 2`);

  for (const args of [['uninstall'], ['uninstall', '--confirm', db.name]]) {
    const again = await cli(db.url, ...args);
    assert.is(again.code, 0, again.stderr);
    assert.is(again.stdout, `nothing to remove: pgtrail is not installed in database "${db.name}"\n`);
  }

  const migrated = await cli(db.url, 'migrate');
  assert.is(migrated.code, 0, migrated.stderr);
  assert.match(migrated.stdout, /^applied 0001_core$/m);
  assert.is((await cli(db.url, 'enable', 'public.contacts')).code, 0);
  await db.pool.query(`UPDATE public.contacts SET email = 'b3@example.com' WHERE id = 2`);
  const { rows: recorded } = await db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE target_type = 'public.contacts'`);
  assert.is(recorded[0].n, 1, 'installed again from scratch: auditing works, the old trail is gone');
});

t('uninstall as a role that may not: refused (exit 2) naming each missing privilege; nothing changed', async (ctx) => {
  const db = await applicationDatabase(ctx, 'uninstall_refused');
  assert.is((await cli(db.url, 'migrate')).code, 0); // as the superuser: the event triggers are its
  assert.is((await cli(db.url, 'enable', 'public.contacts')).code, 0);
  const role = `uninst_${randomBytes(3).toString('hex')}`;
  ctx.roles.push(role);
  await withAdmin((c) => c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw' NOSUPERUSER NOCREATEROLE; GRANT pgtrail_owner TO ${role}`));
  const url = new URL(db.url);
  url.username = role;
  url.password = 'pw';
  const installed = await pgtrailShape(db);

  const plan = await cli(url.toString(), 'uninstall');
  assert.is(plan.code, 2, plan.stderr);
  assert.match(plan.stdout, /^cannot: this role lacks CREATEROLE, to drop the roles pgtrail_console, pgtrail_reader, pgtrail_owner$/m);
  assert.match(plan.stdout, /^cannot: this role lacks ownership of the event triggers pgtrail_ddl_drop, pgtrail_ddl_end \(a superuser created them\)/m);
  assert.not.match(plan.stdout, /lacks membership in pgtrail_owner/, 'it is a member');
  assert.match(plan.stdout, /^cannot: this role lacks ownership of public\.pgtrail_migrations \(owned by \w+\), to drop it$/m);
  assert.match(plan.stderr, new RegExp(`^pgtrail: cannot uninstall pgtrail as role ${role}: it lacks ownership of public\\.pgtrail_migrations .*; and CREATEROLE`));

  const refused = await cli(url.toString(), 'uninstall', '--confirm', db.name);
  assert.is(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, new RegExp(`^pgtrail: cannot uninstall pgtrail as role ${role}: it lacks ownership of public\\.pgtrail_migrations .*; and ownership of the event triggers .*; and CREATEROLE, `));
  assert.match(refused.stderr, /\nhint: .*nothing was changed\n$/);
  assert.is(refused.stdout, '');
  assert.equal(await pgtrailShape(db), installed, 'nothing changed');

  await withAdmin((c) => c.query(`REVOKE pgtrail_owner FROM ${role}`));
  const notOwner = await cli(url.toString(), 'uninstall', '--confirm', db.name);
  assert.is(notOwner.code, 2);
  assert.match(notOwner.stderr, new RegExp(`; and membership in pgtrail_owner with its privileges inherited \\(GRANT pgtrail_owner TO ${role}\\)`));
  assert.equal(await pgtrailShape(db), installed, 'nothing changed');

  // Positive control: the installing superuser may.
  assert.is((await cli(db.url, 'uninstall', '--confirm', db.name)).code, 0);
});

t('migrate down with a table still audited removes its triggers too (DROP SCHEMA audit CASCADE)', async (ctx) => {
  const db = await createTestDatabase('uninstall_cascade', { migrated: false });
  ctx.dbs.push(db);
  await db.pool.query('CREATE TABLE orders (id int PRIMARY KEY)');
  assert.is((await cli(db.url, 'migrate')).code, 0);
  assert.is((await cli(db.url, 'enable', 'public.orders')).code, 0);
  const { rows: before } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = 'orders'::regclass AND NOT tgisinternal`);
  assert.ok(before[0].n > 0, 'positive control: capture triggers installed');
  const client = await db.pool.connect();
  try {
    await migrate(client, { direction: 'down' });
  } finally {
    client.release();
  }
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = 'orders'::regclass AND NOT tgisinternal`);
  assert.is(rows[0].n, 0);
  await db.pool.query('INSERT INTO orders VALUES (1)');
});

t.run();
