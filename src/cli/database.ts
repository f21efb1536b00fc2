// One connection per command run, closed whatever happens.
import type pg from 'pg';
import type { Config } from '../config.ts';
import { connectClient } from '../db/connect.ts';
import { UserError } from '../db/errors.ts';

export function requireDatabaseUrl(config: Config): string {
  if (!config.DATABASE_URL) {
    throw new UserError('DATABASE_URL is not set; this command needs the database to work on', {
      hint: 'DATABASE_URL=postgres://user:password@host:5432/dbname pgtrail …',
    });
  }
  return config.DATABASE_URL;
}

export async function withDatabase<T>(config: Config, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectClient(requireDatabaseUrl(config));
  // A server that goes away mid-command must become a rejected query, not an unhandled 'error' event.
  client.on('error', () => {});
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}
