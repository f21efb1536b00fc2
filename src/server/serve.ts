// Serving the console: the console pool (as pgtrail_console), the persisted secret, the HTTP
// server, the fallback maintenance timer when no pg_cron job maintains this database, and the
// revert pool where a DBA enabled revert (PGTRAIL_REVERT_DATABASE_URL, docs/revert.md).
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { serve as nodeServe, type ServerType } from '@hono/node-server';
import type pg from 'pg';
import type { Config } from '../config.ts';
import { checkConsoleRole, createConsolePool } from '../db/console-pool.ts';
import { loadServerSecret } from '../accounts/secret.ts';
import { loadTotpKey } from '../accounts/totp-key.ts';
import { loadSealKey } from '../integrity/keys.ts';
import { UserError } from '../db/errors.ts';
import { stepsSentence } from '../maintenance/describe.ts';
import { scheduleState } from '../maintenance/schedule.ts';
import { startMaintenanceTimer } from '../maintenance/timer.ts';
import { createRevertPool, revertRole } from '../revert/pool.ts';
import { createApp } from './app.ts';

export interface ServeOptions {
  /** Login connection string; the console's connections switch to pgtrail_console. */
  databaseUrl: string;
  port: number;
  host: string;
  config: Pick<Config, 'PGTRAIL_SESSION_HOURS' | 'PGTRAIL_SESSION_IDLE_MINUTES' | 'PGTRAIL_TRUST_PROXY' | 'PGTRAIL_SECURE_COOKIES' | 'PGTRAIL_MAINTENANCE_MINUTES' | 'PGTRAIL_QUERY_TIMEOUT_MS'
    | 'PGTRAIL_TOTP_KEY' | 'PGTRAIL_TOTP_KEY_FILE' | 'PGTRAIL_DATA_DIR' | 'PGTRAIL_SEAL_KEY' | 'PGTRAIL_SEAL_KEY_FILE' | 'PGTRAIL_REVERT_DATABASE_URL'>;
  /** Reverts without PGTRAIL_REVERT_DATABASE_URL: the demo's login and the role it switches to (src/main.ts). */
  revert?: { url: string; role: string };
  log?: (line: string) => void;
}

export interface RunningConsole {
  url: string;
  pool: pg.Pool;
  /** 'pg_cron' when a pg_cron job maintains the database, else 'timer' (this process). */
  maintenance: 'pg_cron' | 'timer';
  close(): Promise<void>;
}

export async function startConsole(options: ServeOptions): Promise<RunningConsole> {
  const log = options.log ?? (() => {});
  // Ten connections in all, as with one pool: the console must not take more of the server's
  // max_connections than before because its reads are now bounded separately.
  const pool = createConsolePool(options.databaseUrl, 5);
  // List, count and detail reads get their own pool whose connections carry statement_timeout:
  // exports (COPY for minutes), sessions and maintenance run on `pool` and must not be cut.
  const timeoutMs = options.config.PGTRAIL_QUERY_TIMEOUT_MS;
  const reads = { pool: createConsolePool(options.databaseUrl, 5, { statementTimeoutMs: timeoutMs }), timeoutMs };
  // Reverts run only on a login the DBA chose for it (docs/revert.md); two more connections at most.
  const revertUrl = options.config.PGTRAIL_REVERT_DATABASE_URL ?? options.revert?.url;
  const revert = revertUrl ? createRevertPool(revertUrl, options.config.PGTRAIL_REVERT_DATABASE_URL ? undefined : options.revert?.role) : undefined;
  try {
    await checkConsoleRole(pool);
    log(revert && revertUrl ? `revert: enabled, as role ${await revertRole(revert, revertUrl)}` : 'revert: not enabled (set PGTRAIL_REVERT_DATABASE_URL to a login that may write the audited tables)');
    const secret = await loadServerSecret(pool);
    const { config } = options;
    // Signs export manifests and, with the fallback timer, seals; never read from the database.
    const sealKey = loadSealKey({ key: config.PGTRAIL_SEAL_KEY, file: config.PGTRAIL_SEAL_KEY_FILE });
    const totpKey = loadTotpKey({ key: config.PGTRAIL_TOTP_KEY, file: config.PGTRAIL_TOTP_KEY_FILE ?? join(dirname(resolve(config.PGTRAIL_DATA_DIR)), 'totp.key') });
    const app = createApp({
      pool,
      reads,
      secret,
      totpKey,
      sealKey,
      revert,
      secureCookies: options.config.PGTRAIL_SECURE_COOKIES,
      trustProxy: options.config.PGTRAIL_TRUST_PROXY,
      session: { ttlMs: options.config.PGTRAIL_SESSION_HOURS * 3_600_000, idleMs: options.config.PGTRAIL_SESSION_IDLE_MINUTES * 60_000 },
    });

    const cron = await scheduleState(options.databaseUrl).catch(() => null);
    let stopTimer: (() => Promise<void>) | undefined;
    if (!cron?.job?.active) {
      if (!sealKey) log('maintenance: no seal key (PGTRAIL_SEAL_KEY or PGTRAIL_SEAL_KEY_FILE): events are captured but not sealed by this console; run `pgtrail seal` from cron, see docs/integrity.md');
      stopTimer = startMaintenanceTimer(pool, options.config.PGTRAIL_MAINTENANCE_MINUTES * 60_000, {
        onRun: (steps) => steps.length && log(`maintenance: ${stepsSentence(steps)}`),
        maintenance: { sealKey, onSeal: (o) => o.sealed && log(`maintenance: sealed #${o.seq} (${o.count} event(s))`) },
      });
    }

    const server = await listen(app.fetch, options.port, options.host);
    const { port } = server.address() as AddressInfo;
    const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host.includes(':') ? `[${options.host}]` : options.host;
    return {
      url: `http://${shownHost}:${port}/`,
      pool,
      maintenance: stopTimer ? 'timer' : 'pg_cron',
      async close() {
        await stopTimer?.();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        await Promise.all([pool.end(), reads.pool.end(), revert?.end()]);
      },
    };
  } catch (error) {
    await Promise.all([pool.end().catch(() => {}), reads.pool.end().catch(() => {}), revert?.end().catch(() => {})]);
    throw error;
  }
}

function listen(fetch: Parameters<typeof nodeServe>[0]['fetch'], port: number, host: string): Promise<ServerType & { address(): AddressInfo | string | null }> {
  return new Promise((resolve, reject) => {
    const server = nodeServe({ fetch, port, hostname: host });
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE'
        ? new UserError(`port ${port} on ${host} is in use; choose another with --port or PORT`, { cause: error })
        : error);
    });
    server.once('listening', () => resolve(server as ServerType & { address(): AddressInfo | string | null }));
  });
}
