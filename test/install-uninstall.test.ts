// What the README's "Requirements" and "Uninstall" say, run as written: who may run
// `pgtrail migrate` on a fresh database, and that disabling every table and then migrating down
// leaves the application's tables as they were before pgtrail.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { migrate } from '../src/install/migrate.ts';
import { cli } from './helpers/cli.ts';
import { createTestDatabase, urlFor, withAdmin, type TestDatabase } from './helpers/database.ts';

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

t('uninstall: disable every table, then migrate down; the application table stays, unaudited', async (ctx) => {
  const db = await createTestDatabase('uninstall', { migrated: false });
  ctx.dbs.push(db);
  await db.pool.query('CREATE TABLE contacts (id int PRIMARY KEY, email text)');
  assert.is((await cli(db.url, 'migrate')).code, 0);
  const enabled = await cli(db.url, 'enable', 'public.contacts');
  assert.is(enabled.code, 0, enabled.stderr);
  await db.pool.query(`INSERT INTO contacts VALUES (1, 'a@example.com')`);
  const { rows: recorded } = await db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE target_type = 'public.contacts'`);
  assert.is(recorded[0].n, 1, 'positive control: the table was audited');

  assert.is((await cli(db.url, 'disable', 'public.contacts')).code, 0);
  const client = await db.pool.connect();
  try {
    const down = await migrate(client, { direction: 'down' });
    assert.is(down.at(-1), '0001_core');
  } finally {
    client.release();
  }
  const { rows } = await db.pool.query(`
    SELECT to_regnamespace('audit') AS audit, to_regnamespace('console') AS console,
           (SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'contacts'::regclass) AS triggers,
           to_regclass('public.pgtrail_migrations') AS bookkeeping`);
  assert.is(rows[0].audit, null);
  assert.is(rows[0].console, null);
  assert.is(rows[0].triggers, 0);
  assert.is(rows[0].bookkeeping, 'pgtrail_migrations', 'node-pg-migrate keeps its (now empty) bookkeeping table');
  await db.pool.query(`UPDATE contacts SET email = 'b@example.com'`);
  assert.is((await db.pool.query('SELECT email FROM contacts')).rows[0].email, 'b@example.com');
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
