import type pg from 'pg';
import * as assert from 'uvu/assert';

/** Asserts that PostgreSQL refuses `sql` with an error matching `message`. */
export async function refused(client: pg.ClientBase, sql: string, message: RegExp): Promise<void> {
  try {
    await client.query(sql);
  } catch (error) {
    assert.match((error as Error).message, message, sql);
    return;
  }
  assert.unreachable(`${sql} was allowed`);
}
