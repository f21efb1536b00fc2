// One connection per command run, closed whatever happens.
import type pg from 'pg';
import type { Config } from '../config.ts';
import { connectClient } from '../db/connect.ts';
import { UserError } from '../db/errors.ts';
import { embeddedIsRunning } from '../embedded/state.ts';

/** `pgtrail --embedded <command>`: work on the embedded server that `npm start` runs. */
export const EMBEDDED_FLAG = '--embedded';

export function requireDatabaseUrl(config: Config): string {
  if (!config.DATABASE_URL) {
    throw new UserError('DATABASE_URL is not set; this command needs the database to work on', {
      hint: embeddedIsRunning(config.PGTRAIL_DATA_DIR)
        ? `\`npm start\` is running the embedded demo database: add ${EMBEDDED_FLAG} (pgtrail ${EMBEDDED_FLAG} <command>) to use it`
        : `DATABASE_URL=postgres://user:password@host:5432/dbname pgtrail …, or pgtrail ${EMBEDDED_FLAG} … while \`npm start\` runs`,
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
