// Installs and upgrades pgtrail's own schema with node-pg-migrate. Its bookkeeping table is
// public.pgtrail_migrations, so it never collides with the host application's migrations table.
import { join } from 'node:path';
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import { codeRoot } from '../package-root.ts';

export const MIGRATIONS_TABLE = 'pgtrail_migrations';

export interface MigrateOptions {
  direction?: 'up' | 'down';
  /** How many migrations to apply; default all (up) or all (down, i.e. uninstall). */
  count?: number;
  log?: (message: string) => void;
}

/** Runs pgtrail's migrations; returns the names of those applied. */
export async function migrate(client: pg.ClientBase, options: MigrateOptions = {}): Promise<string[]> {
  const direction = options.direction ?? 'up';
  const applied = await runner({
    dbClient: client as pg.Client,
    dir: join(codeRoot, 'migrations'), // .ts from a checkout, .js in the package's dist/
    migrationsTable: MIGRATIONS_TABLE,
    migrationsSchema: 'public',
    direction,
    count: options.count ?? Infinity,
    checkOrder: true,
    singleTransaction: true,
    log: options.log ?? (() => {}),
    logger: { debug: () => {}, info: options.log ?? (() => {}), warn: options.log ?? (() => {}), error: options.log ?? (() => {}) },
  });
  return applied.map((m) => m.name);
}
