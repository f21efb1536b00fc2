// The `pgtrail` command as a DBA runs it: a child process, real PostgreSQL, exit codes and output.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { auditStatus } from '../src/audit/status.ts';
import { report } from '../src/cli/errors.ts';
import { SqlState, UserError } from '../src/db/errors.ts';
import { freePort } from '../src/embedded/server.ts';
import { TEMPLATE_VERSION } from '../src/generator/render.ts';
import { createTestDatabase, withAdmin, type TestDatabase } from './helpers/database.ts';
import { cli, type Run } from './helpers/cli.ts';


/** A user error: exit 2, exactly one `pgtrail:` line (plus an optional hint), no stack trace. */
function assertUserError(run: Run, pattern: RegExp): void {
  assert.is(run.code, 2, `exit code 2, got ${run.code}: ${run.stderr}`);
  const lines = run.stderr.trimEnd().split('\n');
  assert.is(lines.filter((l) => l.startsWith('pgtrail: ')).length, 1, run.stderr);
  assert.ok(lines[0].startsWith('pgtrail: '), run.stderr);
  assert.ok(lines.length === 1 || (lines.length === 2 && lines[1].startsWith('hint: ')), run.stderr);
  assert.not.match(run.stderr, /\n\s+at /);
  assert.match(lines[0], pattern);
}

const CONTACTS = `CREATE TABLE public.contacts (
  id serial PRIMARY KEY, name text, email text, password_hash text, api_secret text, updated_at timestamptz)`;
const CONTACT_FLAGS = ['--exclude', 'password_hash', '--redact', 'api_secret', '--ignore', 'updated_at'];

async function auditObjects(db: TestDatabase, table = 'contacts'): Promise<{ triggers: string[]; functions: string[]; registry: number }> {
  const triggers = await db.pool.query(
    `SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname LIKE 'pgtrail\\_%' ORDER BY 1`, [`public.${table}`]);
  const functions = await db.pool.query(
    `SELECT proname FROM pg_proc WHERE pronamespace = 'audit'::regnamespace AND proname LIKE 'capture\\_%' ORDER BY 1`);
  const registry = await db.pool.query('SELECT count(*)::int AS n FROM audit.audited_tables WHERE table_name = $1', [table]);
  return { triggers: triggers.rows.map((r) => r.tgname), functions: functions.rows.map((r) => r.proname), registry: registry.rows[0].n };
}

const basics = suite('cli: usage and environment');

basics('--help lists the commands; <command> --help lists its options', async () => {
  const top = await cli(undefined, '--help');
  assert.is(top.code, 0);
  for (const name of ['migrate', 'enable', 'disable', 'status', 'generate']) assert.match(top.stdout, new RegExp(`^  ${name} `, 'm'));
  const enable = await cli(undefined, 'enable', '--help');
  assert.is(enable.code, 0);
  assert.match(enable.stdout, /^usage: pgtrail enable <schema.table>/);
  for (const flag of ['--exclude', '--redact', '--ignore', '--key', '--actions', '--log-unchanged', '--max-value-bytes', '--replace']) {
    assert.ok(enable.stdout.includes(flag), flag);
  }
});

basics('unknown command, bad flag and missing values are one-line user errors', async () => {
  assertUserError(await cli(undefined, 'frobnicate'), /unknown command "frobnicate"/);
  assertUserError(await cli(undefined, 'enable', 'public.t', '--bogus'), /unknown option --bogus/);
  assertUserError(await cli(undefined, 'enable', 'public.t', '--exclude'), /--exclude needs a value/);
  assertUserError(await cli(undefined, 'status', 'extra'), /takes no arguments/);
  assertUserError(await cli('postgres://x@127.0.0.1:1/db', 'enable', 'public.t', '--actions', 'insert,upsert'), /unknown action "upsert"/);
  assertUserError(await cli('postgres://x@127.0.0.1:1/db', 'enable', 'public.t', '--max-value-bytes', 'lots'), /--max-value-bytes/);
});

basics('no DATABASE_URL: says to set it', async () => {
  const run = await cli(undefined, 'status');
  assertUserError(run, /DATABASE_URL is not set/);
});

basics('unreachable database: one line naming the address, password masked', async () => {
  const port = await freePort(); // free = nothing listens there
  const run = await cli(`postgres://someone:secret@127.0.0.1:${port}/app`, 'status');
  assertUserError(run, /cannot reach PostgreSQL at postgres:\/\/someone:\*\*\*@127\.0\.0\.1/);
  assert.not.match(run.stderr, /secret/);
});

basics('unexpected errors: exit 1, one line; the stack only with PGTRAIL_DEBUG', () => {
  const plain = report(new Error('boom'), false);
  assert.is(plain.exitCode, 1);
  assert.equal(plain.lines, ['pgtrail: unexpected error: boom', 'hint: set PGTRAIL_DEBUG=1 to see the stack trace']);
  const debug = report(new Error('boom'), true);
  assert.match(debug.lines.join('\n'), /\n\s+at /);
  // A UserError wrapped by a library still counts as the user's.
  const wrapped = report(new Error('Error loading migration files: x', { cause: new UserError('bad table', { hint: 'fix it' }) }), false);
  assert.equal(wrapped, { exitCode: 2, lines: ['pgtrail: bad table', 'hint: fix it'] });
});

basics.run();

const install = suite<{ db: TestDatabase }>('cli: migrate');
install.before(async (ctx) => {
  ctx.db = await createTestDatabase('cli_migrate', { migrated: false });
});
install.after(async (ctx) => ctx.db?.drop());

install('before migrate: commands say the schema is not installed', async ({ db }) => {
  await db.pool.query(CONTACTS);
  assertUserError(await cli(db.url, 'status'), /pgtrail is not installed/);
  const run = await cli(db.url, 'enable', 'public.contacts');
  assertUserError(run, /pgtrail is not installed/);
  assert.match(run.stderr, /hint: run `pgtrail migrate`/);
});

install('migrate installs the schema, a second run has nothing to do', async ({ db }) => {
  const first = await cli(db.url, 'migrate');
  assert.is(first.code, 0, first.stderr);
  // The migration modules, not migrations/sql/ (the frozen SQL they read).
  const shipped = (await readdir(fileURLToPath(new URL('../migrations', import.meta.url)))).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
  // As a superuser, migrate also installs the event triggers that record DDL on audited tables, and says so.
  assert.is(first.stdout, shipped.map((m) => `applied ${m}\n`).join('')
    + 'installed event triggers pgtrail_ddl_end and pgtrail_ddl_drop: DDL on audited tables is recorded as audit.ddl events\n');
  const { rows } = await db.pool.query(`SELECT to_regclass('audit.events') IS NOT NULL AS ok`);
  assert.ok(rows[0].ok);
  const second = await cli(db.url, 'migrate');
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stdout, /up to date/);
});

install.run();

const audit = suite<{ db: TestDatabase }>('cli: enable / status / disable');
audit.before(async (ctx) => {
  ctx.db = await createTestDatabase('cli_audit');
  await ctx.db.pool.query(CONTACTS);
});
audit.after(async (ctx) => ctx.db?.drop());

audit('enable, then the same again is unchanged', async ({ db }) => {
  const first = await cli(db.url, 'enable', 'public.contacts', ...CONTACT_FLAGS);
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stdout, /^public\.contacts: auditing enabled/);
  const again = await cli(db.url, 'enable', 'contacts', '--exclude', 'password_hash', '--redact=api_secret', '--ignore', 'updated_at');
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /unchanged/);
  const objects = await auditObjects(db);
  assert.equal(objects.triggers, ['pgtrail_delete', 'pgtrail_insert', 'pgtrail_truncate', 'pgtrail_update']);
  assert.is(objects.functions.length, 1);
  assert.is(objects.registry, 1);
});

audit('different options are refused in one line; --replace switches', async ({ db }) => {
  assertUserError(await cli(db.url, 'enable', 'public.contacts', '--exclude', 'email'), /already audited with different options/);
  const replaced = await cli(db.url, 'enable', 'public.contacts', '--exclude', 'email', '--replace');
  assert.is(replaced.code, 0, replaced.stderr);
  assert.match(replaced.stdout, /re-rendered/);
  const { rows } = await db.pool.query(`SELECT options FROM audit.audited_tables WHERE table_name = 'contacts'`);
  assert.equal(rows[0].options.exclude, ['email']);
  const back = await cli(db.url, 'enable', 'public.contacts', ...CONTACT_FLAGS, '--replace');
  assert.is(back.code, 0, back.stderr);
});

audit('unknown table and unknown column are one-line user errors', async ({ db }) => {
  assertUserError(await cli(db.url, 'enable', 'public.nope'), /table public\.nope does not exist/);
  assertUserError(await cli(db.url, 'enable', 'public.contacts', '--redact', 'nope', '--replace'), /--redact: column "nope" does not exist in public\.contacts/);
  assertUserError(await cli(db.url, 'disable', 'public.nope'), /public\.nope is not audited/);
  assertUserError(await cli(db.url, 'enable'), /which table/);
});

audit('status: current, with options, key and event counts; --json matches the API', async ({ db }) => {
  await db.pool.query(`INSERT INTO public.contacts (name) VALUES ('a'), ('b')`);
  const run = await cli(db.url, 'status');
  assert.is(run.code, 0, run.stderr);
  const [header, row] = run.stdout.split('\n');
  assert.match(header, /^TABLE\s+STATE\s+EVENTS 24H\s+WITHOUT CONTEXT\s+KEY\s+OPTIONS$/);
  assert.match(row, /^public\.contacts\s+current\s+2\s+2\s+id\s+--exclude password_hash --redact api_secret --ignore updated_at$/);

  const json = await cli(db.url, 'status', '--json');
  assert.is(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed, JSON.parse(JSON.stringify(await auditStatus(db.pool))));
  assert.is(parsed[0].state, 'current');
  assert.is(parsed[0].events_24h, 2);
});

audit('status: missing after a trigger is dropped by hand; enable with no flags repairs it', async ({ db }) => {
  await db.pool.query('DROP TRIGGER pgtrail_insert ON public.contacts');
  const run = await cli(db.url, 'status', '--check');
  assert.is(run.code, 3, 'status --check fails while a table is not current');
  assert.match(run.stdout, /^public\.contacts\s+missing/m);
  assert.match(run.stdout, /public\.contacts: missing — trigger for insert not found/);
  const fixed = await cli(db.url, 'enable', 'public.contacts');
  assert.is(fixed.code, 0, fixed.stderr);
  const after = await cli(db.url, 'status', '--check');
  assert.is(after.code, 0, after.stdout);
  assert.match(after.stdout, /^public\.contacts\s+current\s.*--exclude password_hash/m);
});

audit('status: outdated after a new column; again after the primary key is dropped', async ({ db }) => {
  await db.pool.query('ALTER TABLE public.contacts ADD COLUMN phone text');
  let run = await cli(db.url, 'status');
  assert.match(run.stdout, /^public\.contacts\s+outdated/m);
  assert.match(run.stdout, /public\.contacts: outdated — the table changed since auditing was enabled/);
  assert.is((await cli(db.url, 'enable', 'public.contacts')).code, 0);
  assert.match((await cli(db.url, 'status')).stdout, /^public\.contacts\s+current/m);

  await db.pool.query('ALTER TABLE public.contacts DROP CONSTRAINT contacts_pkey');
  run = await cli(db.url, 'status');
  assert.match(run.stdout, /^public\.contacts\s+outdated/m);
  assert.is((await cli(db.url, 'enable', 'public.contacts')).code, 0);
  run = await cli(db.url, 'status');
  assert.match(run.stdout, /^public\.contacts\s+current\s+\d+\s+\d+\s+none — target_id is NULL\s/m);
});

audit('disable removes every object; recorded events stay', async ({ db }) => {
  const before = (await db.pool.query('SELECT count(*)::int AS n FROM audit.events')).rows[0].n;
  const run = await cli(db.url, 'disable', 'public.contacts');
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /auditing disabled/);
  assert.equal(await auditObjects(db), { triggers: [], functions: [], registry: 0 });
  // The events stay, and the disable itself is one more (audit.disable).
  assert.is((await db.pool.query('SELECT count(*)::int AS n FROM audit.events')).rows[0].n, before + 1);
  assert.is((await db.pool.query(`SELECT action FROM audit.events ORDER BY id DESC LIMIT 1`)).rows[0].action, 'audit.disable');
  assert.match((await cli(db.url, 'status')).stdout, /no table is audited yet/);
});

audit('a role without privileges gets one permission-denied line', async ({ db }) => {
  const role = `cli_nopriv_${db.name.slice(-6)}`;
  await withAdmin((c) => c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'nopriv'`));
  try {
    const url = new URL(db.url);
    url.username = role;
    url.password = 'nopriv';
    const run = await cli(url.toString(), 'enable', 'public.contacts');
    assertUserError(run, new RegExp(`^pgtrail: permission denied: .* \\(SQLSTATE ${SqlState.insufficientPrivilege}\\)$`));
    assertUserError(await cli(url.toString(), 'migrate'), /^pgtrail: cannot install the audit schema: .*permission denied/);
  } finally {
    await withAdmin((c) => c.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`), db.name);
  }
});

audit.run();

const generate = suite<{ db: TestDatabase; dir: string }>('cli: generate');
generate.before(async (ctx) => {
  ctx.db = await createTestDatabase('cli_generate');
  await ctx.db.pool.query(CONTACTS);
  ctx.dir = await mkdtemp(join(tmpdir(), 'pgtrail-generate-'));
});
generate.after(async (ctx) => {
  await ctx.db?.drop();
  if (ctx.dir) await rm(ctx.dir, { recursive: true, force: true });
});

async function hostMigrations(db: TestDatabase, dir: string, direction: 'up' | 'down'): Promise<string[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const applied = await runner({
      dbClient: client, dir, migrationsTable: 'host_migrations', direction, count: Infinity, log: () => {},
    });
    return applied.map((m) => m.name);
  } finally {
    await client.end();
  }
}

generate('without --out prints the migration; needs the table to exist', async ({ db }) => {
  const run = await cli(db.url, 'generate', 'public.contacts');
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^-- Generated by pgtrail [\d.]+: pgtrail generate public\.contacts\n/);
  assertUserError(await cli(db.url, 'generate', 'public.nope'), /does not exist/);
  assertUserError(await cli(undefined, 'generate', 'public.contacts'), /DATABASE_URL is not set/);
});

generate('writes a node-pg-migrate SQL migration that applies up and down', async ({ db, dir }) => {
  const run = await cli(db.url, 'generate', 'public.contacts', '--exclude', 'password_hash', '--out', dir);
  assert.is(run.code, 0, run.stderr);
  const files = await readdir(dir);
  assert.is(files.length, 1);
  assert.match(files[0], /^\d{13}_pgtrail-audit-public-contacts\.sql$/);
  assert.is(run.stdout, `wrote ${join(dir, files[0])}\n`);
  const text = await readFile(join(dir, files[0]), 'utf8');
  assert.match(text, new RegExp(`template v${TEMPLATE_VERSION}; sha256`));
  assert.match(text, /^--   [0-9a-f]{64}$/m);
  assert.match(text, /^-- Up Migration$/m);
  assert.match(text, /^-- Down Migration$/m);
  assert.match(text, /--exclude password_hash/);

  assert.equal(await hostMigrations(db, dir, 'up'), [files[0].replace(/\.sql$/, '')]);
  const status = JSON.parse((await cli(db.url, 'status', '--json')).stdout);
  assert.is(status.length, 1);
  assert.is(status[0].state, 'current');
  assert.equal(status[0].options.exclude, ['password_hash']);
  const hash = text.match(/^--   ([0-9a-f]{64})$/m)![1];
  const { rows } = await db.pool.query(`SELECT sql_hash FROM audit.audited_tables`);
  assert.is(rows[0].sql_hash, hash, 'the header names the hash that was installed');
  await db.pool.query(`INSERT INTO public.contacts (name, password_hash) VALUES ('x', 'secret')`);
  const event = (await db.pool.query(`SELECT new_data FROM audit.events WHERE target_type = 'public.contacts'`)).rows[0];
  assert.is(event.new_data.name, 'x');
  assert.not.ok('password_hash' in event.new_data);

  await hostMigrations(db, dir, 'down');
  assert.equal(await auditObjects(db), { triggers: [], functions: [], registry: 0 });
});

generate.run();
