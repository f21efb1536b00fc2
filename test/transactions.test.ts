// The business write and its audit rows commit or roll back together. Every "nothing was recorded"
// test runs the same write committed first (the positive control: the trigger is there and records
// it), and each test audits a table of its own, so no test depends on another's rows.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { enableAudit } from '../src/audit/enable.ts';
import { SqlState } from '../src/db/errors.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { eventsFor } from './helpers/events.ts';

const t = suite<{ db: TestDatabase }>('transactions');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('transactions');
});
t.after(async (ctx) => ctx.db?.drop());

/** A fresh audited table `name` (id, balance ≥ 0). */
async function auditedAccounts(db: TestDatabase, name: string): Promise<void> {
  await db.pool.query(`CREATE TABLE ${name} (id int PRIMARY KEY, balance int CHECK (balance >= 0))`);
  await enableAudit(db.pool, { schema: 'public', table: name }, {});
}

/**
 * Runs the statements on one connection. Returns the SQLSTATE of the statement that failed (the
 * transaction is then rolled back), or null when every statement succeeded.
 */
async function inTransaction(db: TestDatabase, statements: string[]): Promise<string | null> {
  const client = await db.pool.connect();
  try {
    for (const sql of statements) await client.query(sql);
    return null;
  } catch (e) {
    await client.query('ROLLBACK');
    return (e as { code?: string }).code ?? String(e);
  } finally {
    client.release();
  }
}

const ids = async (db: TestDatabase, table: string) => (await eventsFor(db.pool, `public.${table}`)).map((e) => `${e.action} ${e.target_id}`);

t('ROLLBACK leaves no audit rows behind; the same writes committed are recorded', async ({ db }) => {
  await auditedAccounts(db, 'acct_rollback');
  const writes = ['INSERT INTO acct_rollback VALUES (1, 10)', 'UPDATE acct_rollback SET balance = 5'];
  assert.is(await inTransaction(db, ['BEGIN', ...writes, 'ROLLBACK']), null);
  assert.equal(await ids(db, 'acct_rollback'), []);

  assert.is(await inTransaction(db, ['BEGIN', ...writes, 'COMMIT']), null);
  assert.equal(await ids(db, 'acct_rollback'), ['insert 1', 'update 1']);
});

t('a rolled-back savepoint removes only its own audit rows', async ({ db }) => {
  await auditedAccounts(db, 'acct_savepoint');
  const error = await inTransaction(db, [
    'BEGIN',
    'INSERT INTO acct_savepoint VALUES (2, 10)',
    'SAVEPOINT s',
    'INSERT INTO acct_savepoint VALUES (3, 10)',
    'ROLLBACK TO SAVEPOINT s',
    'COMMIT',
  ]);
  assert.is(error, null);
  assert.equal(await ids(db, 'acct_savepoint'), ['insert 2']);
});

t('a constraint failing later in the transaction rolls back the earlier audit rows too', async ({ db }) => {
  await auditedAccounts(db, 'acct_check');
  const error = await inTransaction(db, [
    'BEGIN',
    'INSERT INTO acct_check VALUES (4, 10)',
    'UPDATE acct_check SET balance = balance - 20 WHERE id = 4', // violates the CHECK: the transaction aborts
    'COMMIT',
  ]);
  assert.is(error, SqlState.checkViolation, 'the UPDATE fails on the CHECK constraint');
  const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM acct_check');
  assert.is(rows[0].n, 0);
  assert.equal(await ids(db, 'acct_check'), []);

  // Positive control: the same transaction without the violating UPDATE is recorded.
  assert.is(await inTransaction(db, ['BEGIN', 'INSERT INTO acct_check VALUES (4, 10)', 'COMMIT']), null);
  assert.equal(await ids(db, 'acct_check'), ['insert 4']);
});

t('a deferred constraint failing at COMMIT leaves no audit rows', async ({ db }) => {
  await db.pool.query(`CREATE TABLE parent (id int PRIMARY KEY);
    CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED)`);
  await enableAudit(db.pool, { schema: 'public', table: 'child' }, {});
  assert.is(await inTransaction(db, ['BEGIN', 'INSERT INTO child VALUES (1, 999)', 'COMMIT']), SqlState.foreignKeyViolation,
    'COMMIT fails on the deferred foreign key');
  assert.equal(await ids(db, 'child'), []);

  // Positive control: with its parent present the same insert commits and is recorded.
  assert.is(await inTransaction(db, ['BEGIN', 'INSERT INTO parent VALUES (999)', 'INSERT INTO child VALUES (1, 999)', 'COMMIT']), null);
  assert.equal(await ids(db, 'child'), ['insert 1']);
});

t.run();
