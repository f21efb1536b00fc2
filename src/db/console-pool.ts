// The console's pool. Whatever login DATABASE_URL names, every connection switches to the NOLOGIN
// role pgtrail_console first, so the console runs with that role's rights only: read the audit
// schema, write its own console tables, log events, run maintenance (migration 0003).
// The switch is the startup parameter `-c role=…` rather than a `SET ROLE` in the pool's 'connect'
// handler: a login that may not act as the role then gets no connection at all (42501 at connect),
// whereas a failed SET ROLE in the handler would leave a connection running with the login's own,
// wider rights, with the caller's query already queued behind it.
import pg from 'pg';
import { survivePoolErrors } from './connect.ts';
import { UserError, sqlState, SqlState } from './errors.ts';

const CONSOLE_ROLE = 'pgtrail_console';

/**
 * `statementTimeoutMs`: the server cancels any statement on these connections that runs longer
 * (57014). Set on the connection at start-up, so it holds for every query without a round trip;
 * the pool of bounded reads uses it (serve.ts), never the pool that exports and maintenance use.
 */
export function createConsolePool(url: string, max = 10, options: { statementTimeoutMs?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url, max, application_name: 'pgtrail-console', options: `-c role=${CONSOLE_ROLE}`,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // A client that loses its server must not crash the process.
  return survivePoolErrors(pool);
}

/** Fails early, with advice, when the login may not act as pgtrail_console or 0003 is missing. */
export async function checkConsoleRole(pool: pg.Pool): Promise<void> {
  try {
    const { rows } = await pool.query('SELECT current_user AS role');
    if (rows[0].role !== CONSOLE_ROLE) throw new Error(`connection runs as ${rows[0].role}`);
    await pool.query('SELECT 1 FROM console.users LIMIT 1');
  } catch (error) {
    const code = sqlState(error);
    if (code === SqlState.undefinedTable || code === SqlState.invalidSchemaName) {
      throw new UserError('the console tables are missing; run `pgtrail migrate` first', { cause: error });
    }
    throw new UserError(`the console cannot act as role ${CONSOLE_ROLE}: ${(error as Error).message}`, {
      cause: error, hint: `run \`pgtrail migrate\` as the login the console uses, or GRANT ${CONSOLE_ROLE} TO <that login>`,
    });
  }
}
