// `pgtrail token …` and `pgtrail export …` as a DBA runs them: a child process, real PostgreSQL.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EVENT_FIELDS } from '../src/query/columns.ts';
import { authenticateToken, createToken } from '../src/accounts/tokens.ts';
import { apiApp, bearer, consoleRolePool } from './helpers/api.ts';
import { csvRecords } from './helpers/csv.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { cli, cliWithEnv } from './helpers/cli.ts';
import { describe as progressLine } from '../src/cli/progress.ts';

const t = suite<{ db: TestDatabase }>('export-cli');

function assertOneLineError(run: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.is(run.code, 2, run.stderr);
  const lines = run.stderr.trimEnd().split('\n');
  assert.ok(lines.length <= 2 && lines[0].startsWith('pgtrail: ') && (lines.length === 1 || lines[1].startsWith('hint: ')), run.stderr);
  assert.match(lines[0], pattern);
}

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('export_cli');
  await ctx.db.pool.query(`
    INSERT INTO audit.events (tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user, new_data)
    SELECT g, (ARRAY['insert', 'auth.sign_in'])[1 + g % 2], 'public.contacts', g::text, 'user', 'u' || (g % 3), '=Formula ' || g, 'app',
           jsonb_build_object('note', E'line\\nbreak, "quoted" \\\\ back')
      FROM generate_series(1, 40) g`);
});
t.after(async (ctx) => ctx.db?.drop());

t('token create prints only the token on stdout; it authenticates; list shows it; revoke stops it', async ({ db }) => {
  const created = await cli(db.url, 'token', 'create', '--name', 'siem-pull', '--role', 'auditor');
  assert.is(created.code, 0, created.stderr);
  assert.match(created.stdout, /^pgt_[A-Za-z0-9_-]{43}\n$/);
  assert.match(created.stderr, /created API token "siem-pull" \(id \d+, role auditor\); store it now/);
  const token = created.stdout.trim();
  const principal = await authenticateToken(db.pool, token);
  assert.equal({ ...principal, id: undefined }, { kind: 'api_token', id: undefined, name: 'siem-pull', role: 'auditor' });

  const listed = await cli(db.url, 'token', 'list');
  assert.is(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^NAME\s+ID\s+ROLE\s+STATE\s+CREATED\s+LAST USED\n/);
  assert.match(listed.stdout, /siem-pull\s+\d+\s+auditor\s+live\s+\S+ \S+ by \S+\s+\S+ \S+Z\n/, 'last use is shown');
  assert.not.ok(listed.stdout.includes(token.slice(4)), 'the token is never shown again');
  const json = JSON.parse((await cli(db.url, 'token', 'list', '--json')).stdout);
  assert.is(json[0].name, 'siem-pull');

  const revoked = await cli(db.url, 'token', 'revoke', 'siem-pull');
  assert.is(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /^revoked API token "siem-pull" \(id \d+\)\n$/);
  assert.is(await authenticateToken(db.pool, token), null);
  assertOneLineError(await cli(db.url, 'token', 'revoke', 'siem-pull'), /no live token named "siem-pull"/);
  const again = await cli(db.url, 'token', 'create', '--name', 'siem-pull', '--role', 'viewer');
  assert.is(again.code, 0, 'a revoked name can be used again');
  assert.is((await cli(db.url, 'token', 'revoke', String(json[0].id))).code, 2, 'by id: already revoked');
  const { rows } = await db.pool.query(`SELECT action, actor_type FROM audit.events WHERE target_type = 'api_token' ORDER BY id`);
  assert.equal(rows.map((r) => r.action), ['api_token.create', 'api_token.revoke', 'api_token.create']);
  assert.ok(rows.every((r) => r.actor_type === 'db_role'), 'the DBA is the actor');
});

t('token usage errors are one line, exit 2', async ({ db }) => {
  assertOneLineError(await cli(db.url, 'token'), /token: create, revoke or list\?/);
  assertOneLineError(await cli(db.url, 'token', 'make'), /unknown action "make"/);
  assertOneLineError(await cli(db.url, 'token', 'create', '--role', 'auditor'), /--name is required/);
  assertOneLineError(await cli(db.url, 'token', 'create', '--name', 'x'), /--role is required/);
  assertOneLineError(await cli(db.url, 'token', 'create', '--name', 'x', '--role', 'root'), /role: must be one of admin, auditor, viewer/);
  assertOneLineError(await cli(db.url, 'token', 'create', '--name', 'No Spaces', '--role', 'viewer'), /token name/);
  assertOneLineError(await cli(db.url, 'token', 'list', '--role', 'viewer'), /--role does not apply here/);
  assertOneLineError(await cli(undefined, 'token', 'list'), /DATABASE_URL is not set/);
});

t('export --format csv|jsonl streams the same rows as the API, and is recorded with the database role as actor', async ({ db }) => {
  const csv = await cli(db.url, 'export', '--format', 'csv', '--action', 'insert', '--actor', 'u1');
  assert.is(csv.code, 0, csv.stderr);
  assert.match(csv.stderr, /^exported 7 events \(\d+ bytes, export [0-9a-f-]{36}\)\n$/);
  const records = csvRecords(csv.stdout);
  assert.is(records.length, 7);
  assert.equal(Object.keys(records[0]), [...EVENT_FIELDS]);
  assert.ok(records.every((r) => r.actor_name!.startsWith("'=Formula")), 'formula cells guarded');
  assert.equal(JSON.parse(records[0].new_data!), { note: 'line\nbreak, "quoted" \\ back' });
  const raw = csvRecords((await cli(db.url, 'export', '--format', 'csv', '--raw', '--action', 'insert', '--actor', 'u1')).stdout);
  assert.ok(raw.every((r) => r.actor_name!.startsWith('=Formula')));

  const jsonl = await cli(db.url, 'export', '--format', 'jsonl', '--action', 'insert', '--actor', 'u1');
  assert.is(jsonl.code, 0, jsonl.stderr);
  const lines = jsonl.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  const pool = consoleRolePool(db.url, 2);
  const admin = await db.pool.connect();
  try {
    const token = (await createToken(admin, 'cli-compare', 'auditor')).token;
    const api = await (await apiApp({ pool, secret: 's' }).request('/api/v1/events?action=insert&actor=u1', bearer(token))).json();
    assert.equal(lines, api.events, 'JSON Lines from the CLI == the API page');
  } finally {
    admin.release();
    await pool.end();
  }

  const { rows } = await db.pool.query(
    `SELECT action, actor_type, actor_id, app_name, metadata FROM audit.events WHERE target_type = 'export' ORDER BY id`);
  assert.is(rows.length, 6, 'three exports, two events each');
  assert.equal(rows.map((r) => r.action), ['audit.export', 'audit.export_completed', 'audit.export', 'audit.export_completed', 'audit.export', 'audit.export_completed']);
  assert.ok(rows.every((r) => r.actor_type === 'db_role' && r.app_name === 'pgtrail'));
  assert.equal(rows[0].metadata.filters, { actor: 'u1', action: ['insert'] });
  assert.is(rows[0].metadata.via, 'cli');
  assert.is(rows[1].metadata.rows, 7);
  assert.is(rows[2].metadata.raw, true);
});

t('export: bad flags and filters are one line, exit 2, before connecting', async ({ db }) => {
  assertOneLineError(await cli(db.url, 'export'), /--format csv or --format jsonl is required/);
  assertOneLineError(await cli(db.url, 'export', '--format', 'xml'), /--format must be csv or jsonl/);
  assertOneLineError(await cli(db.url, 'export', '--format', 'csv', '--from', 'yesterday'), /^pgtrail: from: "yesterday" is not a date or time/);
  assertOneLineError(await cli(db.url, 'export', '--format', 'csv', '--ip', "1.2.3.4'; --"), /^pgtrail: ip: /);
  assertOneLineError(await cli(db.url, 'export', '--format', 'csv', '--actor-type', 'robot'), /^pgtrail: actor_type: must be one of/);
  assertOneLineError(await cli(db.url, 'export', '--format', 'csv', '--bogus'), /unknown option --bogus/);
  assertOneLineError(await cli(db.url, 'export', '--format', 'csv', 'extra'), /export takes no arguments/);
  assertOneLineError(await cli('postgres://nobody@127.0.0.1:1/none', 'export', '--format', 'csv'), /cannot reach PostgreSQL/);
});

t('export progress: on stderr when asked (a terminal, or PGTRAIL_PROGRESS=1), and stdout stays byte-identical', async ({ db }) => {
  for (const format of ['jsonl', 'csv']) {
    const args = ['export', '--format', format, '--action', 'insert', '--actor', 'u1'];
    const quiet = await cli(db.url, ...args);
    const shown = await cliWithEnv(db.url, { PGTRAIL_PROGRESS: '1' }, ...args);
    assert.is(shown.code, 0, shown.stderr);
    assert.is(shown.stdout, quiet.stdout, `${format}: the data is the same byte for byte`);
    assert.not.match(quiet.stderr, /\r/, 'not on a pipe unless asked');
    assert.match(shown.stderr, format === 'jsonl' ? /\r7 rows · [\d.]+ MB · \d+ s/ : /\r[\d.]+ MB · \d+ s/);
    assert.match(shown.stderr, /\r +\rexported 7 events /, 'the line is cleared before the summary');
  }
});

t('the progress line says the time left once the total is known', () => {
  assert.is(progressLine({ done: 3, total: 7, unit: 'partitions' }, 30), '3 of 7 partitions · 30 s · about 40 s left');
  assert.is(progressLine({ rows: 1204000, bytes: 50 * 1024 ** 2 }, 10), '1,204,000 rows · 50.0 MB · 5.0 MB/s · 10 s');
});

t.run();
