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
  // A server that goes away (shutdown, pg_terminate_backend) rejects the query in flight; without a
  // listener the client's 'error' event would also end the process.
  client.on('error', () => {});
  return client;
}

/**
 * A pool's idle clients report a lost server on the pool; a client that is checked out reports it on
 * itself, which without a listener ends the process (seen when Ctrl+C reaches the embedded server
 * too and it shuts down under the console). The query in flight still rejects with the error.
 */
export function survivePoolErrors(pool: pg.Pool): pg.Pool {
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export function createPool(url: string, max = 10): pg.Pool {
  // A client that loses its server (restart, pg_terminate_backend) must not crash the process with
  // an unhandled 'error' event; the next query gets a fresh connection or a clear error.
  return survivePoolErrors(new pg.Pool({ connectionString: url, max, application_name: 'pgtrail' }));
}
