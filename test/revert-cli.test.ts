// `pgtrail revert <event id | tx:ID> [--dry-run] [--force]` as a DBA runs it: the statements on
// stdout, refusals on stderr with exit 1, usage errors exit 2; the revert is recorded under the
// caller's database role with metadata.reverts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { enableAudit } from '../src/audit/enable.ts';
import { cli } from './helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('revert-cli');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('revert_cli');
  await ctx.db.pool.query(`CREATE TABLE tasks (id int PRIMARY KEY, title text NOT NULL, done boolean NOT NULL DEFAULT false)`);
  await enableAudit(ctx.db.pool, { schema: 'public', table: 'tasks' }, {});
});
t.after(async (ctx) => ctx.db?.drop());

const last = async (db: TestDatabase) => (await db.pool.query(`SELECT e.id::text AS id, e.tx_id::text AS tx FROM audit.events AS e ORDER BY e.id DESC LIMIT 1`)).rows[0] as { id: string; tx: string };
const task = async (db: TestDatabase, id: number) => (await db.pool.query(`SELECT title, done FROM tasks WHERE id = $1`, [id])).rows[0];

t('usage errors exit 2 with the reason; the help lists the command', async ({ db }) => {
  for (const [args, reason] of [[[], /expected one event id or tx:<transaction id>, got none/], [['12', '13'], /got 2/], [['abc'], /"abc" is not an event id or tx:<transaction id>/],
    [['tx:'], /"tx:" is not an event id/], [['99999999'], /there is no event 99999999/]] as const) {
    const run = await cli(db.url, 'revert', ...args);
    assert.is(run.code, 2, run.stderr);
    assert.match(run.stderr, reason);
    assert.not.match(run.stderr, /\n\s+at /);
  }
  const help = await cli(undefined, '--help');
  assert.match(help.stdout, /\n {2}revert +undo one event or a whole transaction/);
  assert.match((await cli(undefined, 'revert', '--help')).stdout, /usage: pgtrail revert <event id \| tx:ID> \[--dry-run\] \[--force\][^]*--dry-run[^]*--force/);
});

t('--dry-run prints the statement and its parameters and changes nothing; without it the row is back, recorded under the caller\'s role with metadata.reverts', async ({ db }) => {
  await db.pool.query(`INSERT INTO tasks VALUES (1, 'write', false)`);
  await db.pool.query(`UPDATE tasks SET done = true, title = 'written' WHERE id = 1`);
  const { id } = await last(db);
  const dry = await cli(db.url, 'revert', id, '--dry-run');
  assert.is(dry.code, 0, dry.stderr);
  assert.ok(dry.stdout.startsWith(`-- step 1: undo the update of event #${id} (public.tasks, id = 1)\nUPDATE "public"."tasks" AS t\n   SET "title" = v."title", "done" = v."done"\n`), dry.stdout);
  assert.match(dry.stdout, /--   \$1 = \{"title":"write","done":false\}\n--   \$2 = \{"id":1\}\n--   row before: \{"id":1,"done":true,"title":"written"\}\n--   row after: {2}\{"id":1,"done":false,"title":"write"\}/);
  assert.match(dry.stdout, /dry run: nothing changed/);
  assert.equal(await task(db, 1), { title: 'written', done: true });

  const run = await cli(db.url, 'revert', id);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /reverted: 1 statement\(s\) in transaction \d+, recorded as its events \(metadata\.reverts\)/);
  assert.equal(await task(db, 1), { title: 'write', done: false });
  const role = (await db.pool.query('SELECT session_user AS r')).rows[0].r;
  const { rows } = await db.pool.query(`SELECT actor_type, actor_id, db_user, metadata FROM audit.events WHERE metadata ->> 'reverts' = $1`, [id]);
  assert.equal(rows, [{ actor_type: 'db_role', actor_id: role, db_user: role, metadata: { reverts: Number(id) } }]);
});

t('refused: exit 1 with the reason on stderr, nothing changed; --force overrides only a newer change', async ({ db }) => {
  await db.pool.query(`UPDATE tasks SET title = 'a' WHERE id = 1`);
  const first = await last(db);
  await db.pool.query(`UPDATE tasks SET title = 'b' WHERE id = 1`);
  const refused = await cli(db.url, 'revert', first.id);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`pgtrail: refused: public\\.tasks \\(id = 1\\) changed since event #${first.id}: event #\\d+ \\(update of title`));
  assert.match(refused.stderr, /hint: --force reverts anyway/);
  assert.is((await task(db, 1)).title, 'b');
  const forced = await cli(db.url, 'revert', first.id, '--force');
  assert.is(forced.code, 0, forced.stderr);
  assert.is((await task(db, 1)).title, 'write');

  const app = (await db.pool.query(`SELECT audit.log_event('task.remind', 'task', '1')::text AS id`)).rows[0].id;
  const notRow = await cli(db.url, 'revert', app, '--force');
  assert.is(notRow.code, 1);
  assert.match(notRow.stderr, /pgtrail: refused: event #\d+ \(task\.remind\) is not a row change/);
  assert.not.match(notRow.stderr, /--force/, 'no override offered for what it cannot lift');
});

t('tx:ID reverts the whole transaction, newest first', async ({ db }) => {
  const client = await db.pool.connect();
  let tx: string;
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO tasks VALUES (2, 'new', false)`);
    await client.query(`DELETE FROM tasks WHERE id = 1`);
    tx = (await client.query('SELECT txid_current()::text AS tx')).rows[0].tx;
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  const run = await cli(db.url, 'revert', `tx:${tx}`);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /-- step 1: re-create the deleted row[^]*-- step 2: delete the inserted row/);
  assert.equal(await task(db, 1), { title: 'write', done: false });
  assert.is(await task(db, 2), undefined);
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE metadata ->> 'reverts_tx' = $1`, [tx]);
  assert.is(rows[0].n, 2);
});

t.run();
