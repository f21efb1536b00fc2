// enableAudit / disableAudit inside a host application's node-pg-migrate migrations, loaded the
// way a host loads them: `import … from 'pgtrail'` (here the checkout's TypeScript sources) through
// node-pg-migrate's own jiti loader, run by its runner against a real database.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { runner, type MigrationBuilder } from 'node-pg-migrate';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { auditStatus } from '../src/audit/status.ts';
import { enableAudit, type MigrationBuilderLike } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

// Compile-time check: node-pg-migrate's real MigrationBuilder fits what the helpers ask for.
const fits = (pgm: MigrationBuilder): MigrationBuilderLike => pgm;
void fits;
void enableAudit;

const CREATE_CONTACTS = `export async function up(pgm) {
  pgm.createTable('contacts', { id: 'id', name: 'text', secret: 'text' });
}
export async function down(pgm) {
  pgm.dropTable('contacts');
}
`;

const AUDIT_CONTACTS = `import type { MigrationBuilder } from 'node-pg-migrate';
import { enableAudit, disableAudit } from 'pgtrail';

export async function up(pgm: MigrationBuilder): Promise<void> {
  await enableAudit(pgm, 'public.contacts', { exclude: ['secret'] });
}
export async function down(pgm: MigrationBuilder): Promise<void> {
  await disableAudit(pgm, 'public.contacts');
}
`;

// The mistake the helper must explain: the table is only created after up() returns.
const SAME_MIGRATION = `import { enableAudit } from 'pgtrail';
export async function up(pgm) {
  pgm.createTable('orders', { id: 'id' });
  await enableAudit(pgm, 'public.orders');
}
export async function down(pgm) {}
`;

const UP_ONLY = `import { enableAudit } from 'pgtrail';
export async function up(pgm) {
  await enableAudit(pgm, 'public.contacts');
}
`;

/**
 * A throwaway host project: node_modules/pgtrail exports this checkout's TypeScript sources (the
 * real package.json exports the build in dist/, which .ci/pack-check installs and runs), and
 * migrations/ with the given files.
 */
async function hostProject(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'pgtrail-host-'));
  const pkg = join(root, 'node_modules', 'pgtrail');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'pgtrail', type: 'module', exports: './index.ts' }));
  await writeFile(join(pkg, 'index.ts'), `export * from ${JSON.stringify(join(packageRoot, 'src', 'index.ts'))};\n`);
  await mkdir(join(root, 'migrations'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, 'migrations', name), text);
  return root;
}

async function run(db: TestDatabase, root: string, direction: 'up' | 'down'): Promise<string[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const applied = await runner({
      dbClient: client, dir: join(root, 'migrations'), migrationsTable: 'host_migrations', direction, count: Infinity, log: () => {},
    });
    return applied.map((m) => m.name);
  } finally {
    await client.end();
  }
}

async function objectCount(db: TestDatabase): Promise<number> {
  const { rows } = await db.pool.query(`
    SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'pgtrail\\_%')
         + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'audit'::regnamespace AND proname LIKE 'capture\\_%')
         + (SELECT count(*) FROM audit.audited_tables) AS n`);
  return Number(rows[0].n);
}

const t = suite<{ db: TestDatabase; roots: string[] }>('migration helpers');
t.before(async (ctx) => {
  ctx.db = await createTestDatabase('migration_helpers');
  ctx.roots = [];
});
t.after(async (ctx) => {
  await ctx.db?.drop();
  for (const root of ctx.roots ?? []) await rm(root, { recursive: true, force: true });
});

t('enableAudit in a TypeScript host migration: up audits the table, down removes every object', async (ctx) => {
  const root = await hostProject({ '1000_contacts.js': CREATE_CONTACTS, '2000_audit-contacts.ts': AUDIT_CONTACTS });
  ctx.roots.push(root);
  assert.equal(await run(ctx.db, root, 'up'), ['1000_contacts', '2000_audit-contacts']);

  const status = await auditStatus(ctx.db.pool);
  assert.is(status.length, 1);
  assert.is(status[0].table, 'public.contacts');
  assert.is(status[0].state, 'current');
  assert.equal(status[0].options.exclude, ['secret']);
  await ctx.db.pool.query(`INSERT INTO contacts (name, secret) VALUES ('ada', 's3cret')`);
  const { rows } = await ctx.db.pool.query(`SELECT target_id, new_data FROM audit.events WHERE target_type = 'public.contacts'`);
  assert.is(rows.length, 1);
  assert.equal(rows[0].new_data, { id: 1, name: 'ada' });

  assert.equal(await run(ctx.db, root, 'down'), ['2000_audit-contacts', '1000_contacts']);
  assert.is(await objectCount(ctx.db), 0);
  assert.is((await ctx.db.pool.query(`SELECT to_regclass('public.contacts') AS t`)).rows[0].t, null);
});

t('a table created in the same migration: a clear error, nothing applied', async (ctx) => {
  const root = await hostProject({ '3000_orders.js': SAME_MIGRATION });
  ctx.roots.push(root);
  try {
    await run(ctx.db, root, 'up');
    assert.unreachable('the migration should have been refused');
  } catch (error) {
    const e = error as Error & { hint?: string };
    assert.instance(e, Error);
    assert.is(e.name, 'UserError');
    assert.match(e.message, /enableAudit\(pgm, 'public\.orders'\): table public\.orders does not exist when this migration is planned/);
    assert.match(e.hint ?? '', /earlier migration/);
  }
  assert.is((await ctx.db.pool.query(`SELECT to_regclass('public.orders') AS t`)).rows[0].t, null);
});

t('pgtrail not installed: says to run pgtrail migrate first', async (ctx) => {
  const bare = await createTestDatabase('migration_helpers_bare', { migrated: false });
  const root = await hostProject({ '1000_contacts.js': CREATE_CONTACTS, '2000_audit-contacts.ts': AUDIT_CONTACTS });
  ctx.roots.push(root);
  try {
    await run(bare, root, 'up');
    assert.unreachable('the migration should have been refused');
  } catch (error) {
    assert.match((error as Error).message, /pgtrail is not installed/);
    assert.match((error as { hint?: string }).hint ?? '', /pgtrail migrate/);
  } finally {
    await bare.drop();
  }
});

t('without a down(): reverting says to write one with disableAudit', async (ctx) => {
  const root = await hostProject({ '1000_contacts.js': CREATE_CONTACTS, '2000_audit-up-only.js': UP_ONLY });
  ctx.roots.push(root);
  await run(ctx.db, root, 'up');
  try {
    await run(ctx.db, root, 'down');
    assert.unreachable('down should have been refused');
  } catch (error) {
    assert.is((error as Error).name, 'UserError');
    assert.match((error as Error).message, /enableAudit\(pgm, 'public\.contacts'\) cannot be reversed automatically/);
    assert.match((error as { hint?: string }).hint ?? '', /disableAudit\(pgm, 'public\.contacts'\)/);
  }
  assert.is((await auditStatus(ctx.db.pool))[0]?.state, 'current', 'nothing was undone');
});

t("node-pg-migrate's own CLI under plain node (no tsx) loads pgtrail's TypeScript sources", async (ctx) => {
  const db = await createTestDatabase('migration_helpers_cli');
  const root = await hostProject({ '1000_contacts.js': CREATE_CONTACTS, '2000_audit-contacts.ts': AUDIT_CONTACTS });
  ctx.roots.push(root);
  const bin = join(packageRoot, 'node_modules', 'node-pg-migrate', 'bin', 'node-pg-migrate.js');
  // A clean environment: no tsx loader inherited through NODE_OPTIONS.
  const env = { PATH: process.env.PATH, DATABASE_URL: db.url };
  const migrate = (direction: string) =>
    promisify(execFile)(process.execPath, [bin, direction, '-m', 'migrations', '-t', 'host_migrations'], { cwd: root, env });
  try {
    await migrate('up');
    assert.is((await auditStatus(db.pool))[0]?.state, 'current');
    await migrate('down');
    await migrate('down');
    assert.is(await objectCount(db), 0);
  } finally {
    await db.drop();
  }
});

t.run();
