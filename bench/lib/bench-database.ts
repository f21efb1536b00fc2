// One benchmark run's PostgreSQL: an embedded server with a fresh database, pgtrail migrated into
// it, a client on it; stopped afterwards whatever happened. A failure is printed and sets the exit
// code, so a broken run cannot pass for a measurement.
import type pg from 'pg';
import { quoteIdent } from '../../src/db/sql.ts';
import { startEmbedded } from '../../src/embedded/server.ts';
import { migrate } from '../../src/install/migrate.ts';
import { connect, urlFor } from './util.ts';

export interface BenchDatabase {
  /** The server's own URL (the `postgres` database), e.g. to create more databases. */
  serverUrl: string;
  /** The benchmark database's URL, for pools and pgbench. */
  url: string;
  /** A client on the benchmark database, migrated. */
  client: pg.Client;
}

export async function withBenchDatabase(name: string, run: (db: BenchDatabase) => Promise<void>): Promise<void> {
  const server = await startEmbedded();
  try {
    const admin = await connect(server.url);
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    await admin.end();
    const url = urlFor(server.url, name);
    const client = await connect(url);
    // A backend that dies under a long statement emits 'error' on the idle client; the statement's
    // own rejection reports it, the event must not crash the run first.
    client.on('error', () => {});
    try {
      await migrate(client);
      await run({ serverUrl: server.url, url, client });
    } finally {
      await client.end();
    }
  } catch (error) {
    console.error('FAILED', error);
    process.exitCode = 1;
  } finally {
    await server.stop();
  }
}
