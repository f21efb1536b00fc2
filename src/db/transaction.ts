import pg from 'pg';
import type { Queryable } from './queryable.ts';
import { SqlState } from './errors.ts';

export interface TransactionOptions {
  /** The statement that opens it, e.g. 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'. */
  begin?: string;
}

/** BEGIN on a connection already inside a transaction: PostgreSQL only warns (25001), and our
 *  COMMIT would then commit the caller's transaction. */
export class NestedTransactionError extends Error {
  constructor() {
    super('inTransaction: the connection is already inside a transaction; its caller must not be committed from here');
  }
}

/**
 * Runs `work` between BEGIN and COMMIT; rolls back and rethrows when it throws. The one place
 * pgtrail opens a transaction:
 *  - given a pool, it takes a client and gives it back, and discards it when ROLLBACK failed (the
 *    connection may still be inside the transaction, and the next user would inherit it);
 *  - given a client, the caller owns it; a client already inside a transaction is refused before
 *    anything runs, since COMMIT here would commit the caller's work.
 */
export async function inTransaction<T>(db: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, options?: TransactionOptions): Promise<T>;
export async function inTransaction<T>(db: Queryable, work: (client: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
export async function inTransaction<T>(db: Queryable, work: (client: any) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const pooled = db instanceof pg.Pool ? await db.connect() : undefined;
  const client: Queryable = pooled ?? db;
  let broken: Error | undefined;
  // A connection lost while checked out emits 'error' on the client, which would crash the process
  // without a listener; with it the query in flight rejects, and the client is discarded.
  const onError = (error: Error) => { broken = error; };
  pooled?.on('error', onError);
  try {
    await begin(client, options.begin ?? 'BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => { broken = rollback; });
      throw error;
    }
  } finally {
    pooled?.off('error', onError);
    pooled?.release(broken);
  }
}

async function begin(client: Queryable, statement: string): Promise<void> {
  const events = client as Partial<Pick<pg.ClientBase, 'on' | 'off'>>;
  if (!events.on || !events.off) {
    await client.query(statement);
    return;
  }
  let nested = false;
  const onNotice = (notice: { code?: string }) => { if (notice.code === SqlState.activeSqlTransaction) nested = true; };
  events.on('notice', onNotice);
  try {
    await client.query(statement);
  } finally {
    events.off('notice', onNotice);
  }
  if (nested) throw new NestedTransactionError();
}
