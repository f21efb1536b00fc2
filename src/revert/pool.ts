// The connections reverts run on: a login a DBA chose because it may write the audited tables
// (PGTRAIL_REVERT_DATABASE_URL), kept apart from the console's pool, whose role never can.
import pg from 'pg';
import { survivePoolErrors } from '../db/connect.ts';
import { explainConnectionError } from '../db/errors.ts';

/** `role`: switch to it at connect (`-c role=…`, as the console pool does), e.g. the demo's revert role. */
export function createRevertPool(url: string, role?: string): pg.Pool {
  return survivePoolErrors(new pg.Pool({
    connectionString: url, max: 2, application_name: 'pgtrail-revert',
    ...(role ? { options: `-c role=${role}` } : {}),
  }));
}

/** The role reverts run as; a URL that does not connect fails the start, saying so. */
export async function revertRole(pool: pg.Pool, url: string): Promise<string> {
  try {
    return (await pool.query('SELECT current_user AS role')).rows[0].role;
  } catch (error) {
    throw explainConnectionError(error, url);
  }
}
