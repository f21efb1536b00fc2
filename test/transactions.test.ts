// The business write and its audit rows commit or roll back together.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { enableAudit } from '../src/audit/enable.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { eventsFor } from './helpers/events.ts';

const t = suite<{ db: TestDatabase }>('transactions');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('transactions');
  await ctx.db.pool.query(`CREATE TABLE acct (id int PRIMARY KEY, balance int CHECK (balance >= 0))`);
  await enableAudit(ctx.db.pool, { schema: 'public', table: 'acct' }, {});
});
t.after(async (ctx) => ctx.db?.drop());

async function inTransaction(db: TestDatabase, statements: string[]): Promise<void> {
  const client = await db.pool.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } catch {
    await client.query('ROLLBACK');
  } finally {
    client.release();
  }
}

t('ROLLBACK leaves no audit rows behind', async ({ db }) => {
  await inTransaction(db, ['BEGIN', 'INSERT INTO acct VALUES (1, 10)', 'UPDATE acct SET balance = 5', 'ROLLBACK']);
  assert.equal(await eventsFor(db.pool, 'public.acct'), []);
});

t('a rolled-back savepoint removes only its own audit rows', async ({ db }) => {
  await inTransaction(db, [
    'BEGIN',
    'INSERT INTO acct VALUES (2, 10)',
    'SAVEPOINT s',
    'INSERT INTO acct VALUES (3, 10)',
    'ROLLBACK TO SAVEPOINT s',
    'COMMIT',
  ]);
  assert.equal((await eventsFor(db.pool, 'public.acct')).map((e) => e.target_id), ['2']);
});

t('a constraint failing later in the transaction rolls back the earlier audit rows too', async ({ db }) => {
  await inTransaction(db, [
    'BEGIN',
    'INSERT INTO acct VALUES (4, 10)',
    'UPDATE acct SET balance = balance - 20 WHERE id = 4', // violates the CHECK: the transaction aborts
    'COMMIT',
  ]);
  const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM acct WHERE id = 4');
  assert.is(rows[0].n, 0);
  assert.equal((await eventsFor(db.pool, 'public.acct')).map((e) => e.target_id), ['2']);
});

t('a deferred constraint failing at COMMIT leaves no audit rows', async ({ db }) => {
  await db.pool.query(`CREATE TABLE parent (id int PRIMARY KEY);
    CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED)`);
  await enableAudit(db.pool, { schema: 'public', table: 'child' }, {});
  await inTransaction(db, ['BEGIN', 'INSERT INTO child VALUES (1, 999)', 'COMMIT']);
  assert.equal(await eventsFor(db.pool, 'public.child'), []);
});

t.run();
