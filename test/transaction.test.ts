// The one transaction helper (src/db/transaction.ts): commits, rolls back, refuses a connection that
// is already inside a transaction, and never gives a pool a connection whose ROLLBACK failed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { inTransaction, NestedTransactionError } from '../src/db/transaction.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('transaction');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('transaction', { migrated: false });
  await ctx.db.pool.query('CREATE TABLE tx_probe (n int)');
});
t.after(async (ctx) => ctx.db?.drop());

const rows = async (db: TestDatabase) => (await db.pool.query('SELECT n FROM tx_probe ORDER BY n')).rows.map((r) => r.n);

t('commits what the work did, and rolls it back when the work throws', async ({ db }) => {
  assert.is(await inTransaction(db.pool, async (c) => { await c.query('INSERT INTO tx_probe VALUES (1)'); return 'done'; }), 'done');
  const failed = await inTransaction(db.pool, async (c) => {
    await c.query('INSERT INTO tx_probe VALUES (2)');
    throw new Error('boom');
  }).then(() => null, (e: Error) => e.message);
  assert.is(failed, 'boom');
  assert.equal(await rows(db), [1]);
});

t('a client already inside a transaction is refused, and the caller\'s transaction is left alone', async ({ db }) => {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO tx_probe VALUES (10)');
    let ran = false;
    const error = await inTransaction(client, async () => { ran = true; }).then(() => null, (e: unknown) => e);
    assert.instance(error, NestedTransactionError);
    assert.is(ran, false, 'the work did not run');
    const { rows: state } = await client.query(`SELECT count(*)::int AS n FROM tx_probe WHERE n = 10`);
    assert.is(state[0].n, 1, 'the caller still sees its own uncommitted row: nothing was committed or rolled back');
    assert.not.ok((await rows(db)).includes(10), 'and nobody else sees it');
    await client.query('ROLLBACK');
  } finally {
    client.release();
  }
  // Positive control: the same client outside a transaction is accepted.
  assert.is(await inTransaction(db.pool, async () => 'ok'), 'ok');
});

t('a pooled connection whose ROLLBACK failed is discarded, not handed to the next caller', async ({ db }) => {
  let pid = 0;
  const error = await inTransaction(db.pool, async (c) => {
    pid = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await db.pool.query('SELECT pg_terminate_backend($1)', [pid]); // the work's next query and the ROLLBACK fail
    await c.query('SELECT 1');
  }).then(() => null, (e: Error) => e);
  assert.ok(error, 'the work failed');
  const pids = new Set<number>();
  for (let i = 0; i < 3; i++) pids.add((await db.pool.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
  assert.not.ok(pids.has(pid), 'no later query ran on the terminated connection');
});

t.run();
