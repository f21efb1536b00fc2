// The JSON API and exports as the console mounts them (/api/v1), on a pool that runs as the
// console's role (as in production), so missing grants fail here and not in a deployment.
import { Hono } from 'hono';
import pg from 'pg';
import type { ExportDeps } from '../../src/server/export-download.ts';
import type { AppEnv } from '../../src/server/env.ts';
import { apiRoutes, type ApiDeps } from '../../src/server/api/routes.ts';

export function consoleRolePool(url: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, options: '-c role=pgtrail_console', application_name: 'pgtrail-test-api' });
  pool.on('error', () => {});
  return pool;
}

/** The API; `logError` reaches the export routes, which get the same deps. */
export function apiApp(deps: ApiDeps & Pick<ExportDeps, 'logError'>): Hono<AppEnv> {
  return new Hono<AppEnv>().route('/api/v1', apiRoutes(deps));
}

export interface ErrorLog {
  logError: NonNullable<ExportDeps['logError']>;
  entries: Array<{ message: string; error: unknown }>;
}

/** Collects what the code under test would tell the operator, so a test asserts it instead of printing it. */
export function errorLog(): ErrorLog {
  const entries: ErrorLog['entries'] = [];
  return { entries, logError: (message, error) => entries.push({ message, error }) };
}

export function bearer(token: string): { headers: Record<string, string> } {
  return { headers: { Authorization: `Bearer ${token}` } };
}

/** Polls until `check` returns a truthy value (or throws after `ms`). */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false>, ms = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The end event (audit.export_completed / audit.export_failed) of one export, once recorded. */
export async function exportEvents(db: pg.Pool, exportId: string): Promise<Array<{ action: string; actor_type: string; actor_id: string | null; actor_name: string | null; metadata: Record<string, unknown> }>> {
  const { rows } = await db.query(
    `SELECT action, actor_type, actor_id, actor_name, metadata FROM audit.events WHERE target_type = 'export' AND target_id = $1 ORDER BY id`, [exportId]);
  return rows;
}
