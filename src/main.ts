// The main job (`npm start`): with DATABASE_URL, use that server; without it, start an embedded
// PostgreSQL whose data lives in PGTRAIL_DATA_DIR (default .pgtrail/data) and record its address
// beside it for `pgtrail --embedded`. Then install pgtrail, create the audited demo schema with a
// week of history, make a few live changes as different actors (once per database), make sure a
// first admin exists, and serve the console until SIGINT or SIGTERM, then stop both cleanly.
import { resolve } from 'node:path';
import type pg from 'pg';
import { loadConfig } from './config.ts';
import { connectClient, createPool } from './db/connect.ts';
import { UserError } from './db/errors.ts';
import { inTransaction } from './db/transaction.ts';
import { startEmbedded, takeShutdownSignals, type RunningPostgres } from './embedded/server.ts';
import { removeState, statePath, writeState } from './embedded/state.ts';
import { migrate } from './install/migrate.ts';
import { installDemo, makeDemoChanges } from './demo/seed.ts';
import { installDemoHistory } from './demo/history.ts';
import { generatePassword } from './accounts/passwords.ts';
import { addUser, listUsers } from './accounts/users.ts';
import { startConsole } from './server/serve.ts';
import { DEMO_REVERT_ROLE, ensureDemoRevertRole } from './revert/demo-role.ts';

const FIRST_ADMIN = 'admin@example.com';
const DEFAULT_DATA_DIR = '.pgtrail/data';

/** Thrown between start-up steps when a signal asked to stop. */
class Stopped extends Error {}

/**
 * SIGINT and SIGTERM, to this process alone (a supervisor, `kill`) or to its whole group (Ctrl+C):
 * the first one stops the console and the embedded server cleanly; a second one, a second or more
 * later, exits at once.
 */
function shutdownSignals() {
  takeShutdownSignals();
  let requested = false;
  let wake!: () => void;
  const stopping = new Promise<void>((resolve) => (wake = resolve));
  let firstAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // A signal to the whole group (Ctrl+C, a supervisor killing the group) reaches this process
    // twice: directly and forwarded by npm. Only one that comes later is a second request.
    if (requested && Date.now() - firstAt < 1000) return;
    if (requested) {
      console.error(`\n${signal} again: exiting now, without waiting for a clean stop.`);
      process.exit(1);
    }
    requested = true;
    firstAt = Date.now();
    console.log(`\n${signal}: stopping …`);
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopping,
    /** Call between start-up steps: a signal that arrived meanwhile ends the start-up there. */
    check() {
      if (requested) throw new Stopped();
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const signals = shutdownSignals();
  let embedded: RunningPostgres | undefined;
  let url = config.DATABASE_URL;
  const dataDir = resolve(config.PGTRAIL_DATA_DIR);
  // `pgtrail --embedded …` must run with the same PGTRAIL_DATA_DIR when it is not the default.
  const cli = `${config.PGTRAIL_DATA_DIR === DEFAULT_DATA_DIR ? '' : `PGTRAIL_DATA_DIR=${config.PGTRAIL_DATA_DIR} `}npx pgtrail --embedded`;
  try {
    if (!url) {
      console.log(`No DATABASE_URL: starting embedded PostgreSQL (data in ${dataDir}) …`);
      embedded = await startEmbedded({ dataDir });
      url = embedded.url;
      signals.check();
      writeState({ url, port: embedded.port, pid: process.pid, dataDir, startedAt: new Date().toISOString() });
      // Whatever ends this process, the record of a server it no longer runs goes with it.
      process.on('exit', () => removeState(dataDir));
      console.log(`Embedded PostgreSQL: DATABASE_URL=${url}`);
      console.log(`  the CLI reaches it while this runs: ${cli} <command>   (address recorded in ${statePath(dataDir)})`);
    }
    signals.check();
    const client = await connectClient(url);
    try {
      const applied = await migrate(client);
      console.log(applied.length ? `Installed pgtrail migrations: ${applied.join(', ')}` : 'pgtrail schema is up to date.');
    } finally {
      await client.end();
    }

    signals.check();
    const pool = createPool(url);
    let login: string;
    try {
      await installDemo(pool);
      const history = await installDemoHistory(pool);
      if (history) console.log(`Demo: auditing on demo.contacts and demo.campaigns; ${history} events of history over the last 7 days.`);
      console.log((await makeDemoChanges(pool))
        ? 'Demo: made live changes as a user, an API token, a system job and a database role (once; later starts do not repeat them).'
        : 'Demo: the live changes were made on an earlier start; not repeated.');
      login = await ensureAdmin(pool, config.PGTRAIL_PASSWORD, embedded ? cli : 'DATABASE_URL=… npx pgtrail');
      // The embedded demo can revert from the first look, as a role limited to schema demo.
      if (embedded && !config.PGTRAIL_REVERT_DATABASE_URL) await ensureDemoRevertRole(pool);
    } finally {
      await pool.end();
    }

    signals.check();
    const running = await startConsole({
      databaseUrl: url, port: config.PORT, host: config.HOST, config, log: (line) => console.log(line),
      revert: embedded ? { url, role: DEMO_REVERT_ROLE } : undefined,
    });
    console.log(`\npgtrail console: ${running.url}`);
    console.log(login);
    console.log('Press Ctrl+C to stop.');
    await signals.stopping;
    await running.close();
    console.log('Console stopped.');
  } catch (error) {
    if (!(error instanceof Stopped)) throw error;
  } finally {
    if (embedded) {
      await embedded.stop();
      removeState(dataDir);
      console.log('Embedded PostgreSQL stopped.');
    }
  }
}

/**
 * Creates admin@example.com when there is no admin yet; returns the sign-in line to print. When
 * an admin exists, PGTRAIL_PASSWORD changes nothing, and the line says so and how to reset one.
 */
async function ensureAdmin(pool: pg.Pool, fromEnv: string | undefined, cli: string): Promise<string> {
  const admins = (await listUsers(pool)).filter((u) => u.role === 'admin').map((u) => u.email);
  if (admins.length > 0) {
    const who = admins.length > 3 ? `${admins.slice(0, 3).join(', ')}, …` : admins.join(', ');
    const reset = `${cli} user set-password ${admins.length === 1 ? admins[0] : '<email>'}`;
    return fromEnv
      ? `PGTRAIL_PASSWORD is ignored: an admin exists already (${who}) and keeps its password. To change it: PGTRAIL_PASSWORD=… ${reset}`
      : `Sign in as an existing admin (${who}). Forgot the password? ${reset}`;
  }
  const password = fromEnv ?? generatePassword();
  await inTransaction(pool, (client) => addUser(client, FIRST_ADMIN, 'admin', password));
  return fromEnv
    ? `Sign in as ${FIRST_ADMIN} with the password in PGTRAIL_PASSWORD.`
    : `Sign in as ${FIRST_ADMIN} with password ${password}   (shown once; set PGTRAIL_PASSWORD to choose it)`;
}

main().then(
  // Exit explicitly: a clean stop is done, whatever timers or sockets a library left behind.
  () => process.exit(0),
  (error) => {
    if (error instanceof UserError) {
      console.error(`pgtrail: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
