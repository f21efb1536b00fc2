// The main job (`npm start`): with DATABASE_URL, use that server; without it, start an embedded
// PostgreSQL whose data lives in PGTRAIL_DATA_DIR (default .pgtrail/data). Then install pgtrail,
// create the audited demo schema with a week of history, make a few live changes as different
// actors, make sure a first admin exists, and serve the console until interrupted.
import { resolve } from 'node:path';
import { loadConfig } from './config.ts';
import { connectClient, createPool } from './db/connect.ts';
import { UserError } from './db/errors.ts';
import { startEmbedded, type RunningPostgres } from './embedded.ts';
import { migrate } from './migrate.ts';
import { installDemo, makeDemoChanges } from './demo/seed.ts';
import { installDemoHistory } from './demo/history.ts';
import { generatePassword } from './console/passwords.ts';
import { addUser, countAdmins } from './console/users.ts';
import { startConsole } from './server/serve.ts';

const FIRST_ADMIN = 'admin@example.com';

async function main(): Promise<void> {
  const config = loadConfig();
  let embedded: RunningPostgres | undefined;
  let url = config.DATABASE_URL;
  if (!url) {
    const dataDir = resolve(config.PGTRAIL_DATA_DIR);
    console.log(`No DATABASE_URL: starting embedded PostgreSQL (data in ${dataDir}) …`);
    embedded = await startEmbedded({ dataDir });
    url = embedded.url;
  }
  const stopEmbedded = async () => embedded?.stop();
  try {
    const client = await connectClient(url);
    try {
      const applied = await migrate(client);
      console.log(applied.length ? `Installed pgtrail migrations: ${applied.join(', ')}` : 'pgtrail schema is up to date.');
    } finally {
      await client.end();
    }

    const pool = createPool(url);
    let login: string | undefined;
    try {
      await installDemo(pool);
      const history = await installDemoHistory(pool);
      if (history) console.log(`Demo: auditing on demo.contacts and demo.campaigns; ${history} events of history over the last 7 days.`);
      await makeDemoChanges(pool);
      console.log('Demo: made live changes as a user, an API token, a system job and a database role.');
      login = await ensureAdmin(pool, config.PGTRAIL_PASSWORD);
    } finally {
      await pool.end();
    }

    const running = await startConsole({ databaseUrl: url, port: config.PORT, host: config.HOST, config, log: (line) => console.log(line) });
    console.log(`\npgtrail console: ${running.url}`);
    console.log(login ?? `Sign in as an existing admin (add one with: DATABASE_URL=${embedded ? '<embedded>' : '…'} npx pgtrail user add <email> --role admin).`);
    console.log('Press Ctrl+C to stop.');
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    console.log('\nStopping …');
    await running.close();
  } finally {
    await stopEmbedded();
  }
}

/** Creates admin@example.com when there is no admin yet; returns the sign-in line to print once. */
async function ensureAdmin(pool: import('pg').Pool, fromEnv: string | undefined): Promise<string | undefined> {
  if ((await countAdmins(pool)) > 0) return undefined;
  const password = fromEnv ?? generatePassword();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await addUser(client, FIRST_ADMIN, 'admin', password);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return fromEnv
    ? `Sign in as ${FIRST_ADMIN} with the password in PGTRAIL_PASSWORD.`
    : `Sign in as ${FIRST_ADMIN} with password ${password}   (shown once; set PGTRAIL_PASSWORD to choose it)`;
}

main().catch((error) => {
  if (error instanceof UserError) {
    console.error(`pgtrail: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
