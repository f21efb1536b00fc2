// Throwaway real PostgreSQL for the tests. test/run.ts starts one cluster per run (embedded, or
// the server in TEST_DATABASE_URL), migrates a template database once, and every suite clones
// its own database from that template, so suites never see each other's rows.
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export function adminUrl(): string {
  const url = process.env.PGTRAIL_TEST_ADMIN_URL;
  if (!url) throw new Error('PGTRAIL_TEST_ADMIN_URL is not set: run the suites through `npm test`');
  return url;
}

export const TEMPLATE_DB = 'pgtrail_test_template';

export function urlFor(database: string, base = adminUrl()): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const client = new pg.Client({ connectionString: database ? urlFor(database) : adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template (or empty, with `migrated: false`). */
export async function createTestDatabase(label: string, opts: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `t_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  const template = opts.migrated === false ? 'template0' : TEMPLATE_DB;
  await withAdmin((c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`));
  const url = urlFor(name);
  const pool = new pg.Pool({ connectionString: url, max: 6 });
  // pool.end() resolves while its clients' sockets are still closing; DROP DATABASE … WITH (FORCE)
  // in drop() can then terminate one of them (57P01), and an 'error' event with no listener would
  // kill the whole test run (seen at the end of a suite). Nothing is lost: the pool is done.
  pool.on('error', () => {});
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
    },
  };
}
