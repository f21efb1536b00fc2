// Enabling auditing from the host application's node-pg-migrate migrations:
//
//   export async function up(pgm) { await enableAudit(pgm, 'public.contacts', { exclude: ['password_hash'] }); }
//   export async function down(pgm) { await disableAudit(pgm, 'public.contacts'); }
//
// node-pg-migrate first calls up(pgm) to collect SQL, then runs it. So the table is read from the
// catalog while the migration is being planned, and its generated SQL is queued with pgm.sql().
// Unlike `pgtrail enable`, the options in the migration simply win: a migration that changes them
// is a deliberate, reviewed change.
import { requireInstalled } from './installed.ts';
import { UserError } from '../db/errors.ts';
import { displayName, parseQualifiedName, type QualifiedName } from '../db/sql.ts';
import { introspect, tableExists } from '../generator/introspect.ts';
import type { Queryable } from '../db/queryable.ts';
import { renderAudit, renderDisable } from '../generator/render.ts';
import type { AuditOptionsInput } from '../generator/spec.ts';

/** The part of node-pg-migrate's MigrationBuilder the helpers use. */
export interface MigrationBuilderLike {
  readonly db: Queryable;
  sql(sql: string): void;
}

export async function enableAudit(pgm: MigrationBuilderLike, table: string | QualifiedName, options: AuditOptionsInput = {}): Promise<void> {
  const name = typeof table === 'string' ? parseQualifiedName(table) : table;
  const call = `enableAudit(pgm, '${displayName(name)}')`;
  try {
    await requireInstalled(pgm.db);
    if (!(await tableExists(pgm.db, name))) {
      throw new UserError(`${call}: table ${displayName(name)} does not exist when this migration is planned`, {
        hint: 'node-pg-migrate runs pgm.createTable() only after up() returns, so create the table in an earlier migration, '
          + 'or write this one with `pgtrail generate` once the table exists',
      });
    }
    pgm.sql(renderAudit(await introspect(pgm.db, name, options)).enableSql);
  } catch (error) {
    // Without a down(), node-pg-migrate replays up() in reverse mode, where the catalog cannot be read.
    if (error instanceof Error && /infer down migration/.test(error.message)) {
      throw new UserError(`${call} cannot be reversed automatically`, { hint: `export a down() that calls disableAudit(pgm, '${displayName(name)}')`, cause: error });
    }
    throw error;
  }
}

/** Removes every object enableAudit created (idempotent); recorded events stay. */
export async function disableAudit(pgm: MigrationBuilderLike, table: string | QualifiedName): Promise<void> {
  const name = typeof table === 'string' ? parseQualifiedName(table) : table;
  pgm.sql(renderDisable(name));
}
