// A throwaway PostgreSQL cluster from Debian's binaries (bench:peers): PostgreSQL 15 as CI has it,
// with fsync / synchronous_commit / full_page_writes left at their defaults (on). As root, initdb
// and pg_ctl run as the `postgres` OS user (PostgreSQL refuses to run as root).
import { execFileSync } from 'node:child_process';
import { appendFile, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/embedded/server.ts';

export const PG15_BIN = '/usr/lib/postgresql/15/bin';

/** The settings of the reference harness (peer-harness/run.sh, external: not in this repository). */
export const CLUSTER_SETTINGS: Record<string, string> = {
  shared_buffers: '1GB',
  max_wal_size: '8GB',
  checkpoint_timeout: '30min',
  max_connections: '50',
};

export interface Cluster {
  /** Superuser URL of the `postgres` database. */
  url: string;
  bin: string;
  dir: string;
  /** Stops the server; with `keep` its folder (data, server.log) stays for inspection. */
  stop(keep: boolean): Promise<void>;
}

export async function startCluster(bin = PG15_BIN): Promise<Cluster> {
  const root = process.getuid?.() === 0;
  const asPostgres = (cmd: string, args: string[]) =>
    root ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  const dir = await mkdtemp(join(tmpdir(), 'pgtrail-peers-'));
  if (root) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
    await chown(dir, id('-u'), id('-g'));
  }
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    asPostgres('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    const conf = { listen_addresses: `'127.0.0.1'`, port: String(port), unix_socket_directories: `'${dir}'`,
      log_line_prefix: `'%m [%p] '`, ...CLUSTER_SETTINGS };
    await appendFile(join(data, 'postgresql.conf'), Object.entries(conf).map(([k, v]) => `${k} = ${v}\n`).join(''));
    asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '120', 'start']);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL from ${bin} (as root, the \`postgres\` OS user runs it)`, { cause: error });
  }
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    bin,
    dir,
    async stop(keep: boolean) {
      if (stopped) return;
      stopped = true;
      try { asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']); } catch { /* already down */ }
      if (!keep) await rm(dir, { recursive: true, force: true });
    },
  };
}
