// Opening connections with errors a user can act on.
import pg from 'pg';
import { explainConnectionError } from './errors.ts';

/** A connected client; connection failures become UserErrors that say what to check. */
export async function connectClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'pgtrail' });
  try {
    await client.connect();
  } catch (error) {
    throw explainConnectionError(error, url);
  }
  return client;
}

export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'pgtrail' });
  // An idle client that loses its server (restart, pg_terminate_backend) must not crash the
  // process with an unhandled 'error' event; the next query gets a fresh connection or a clear error.
  pool.on('error', () => {});
  return pool;
}
