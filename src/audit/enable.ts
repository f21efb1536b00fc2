// enable / disable: install or remove the generated capture function and triggers for one table.
import { UserError } from '../db/errors.ts';
import { displayName, type QualifiedName } from '../db/sql.ts';
import { introspect } from '../generator/introspect.ts';
import type { Queryable } from '../db/queryable.ts';
import { renderAudit, renderDisable } from '../generator/render.ts';
import { normalizeOptions, type AuditOptionsInput } from '../generator/spec.ts';
import { requireInstalled } from './installed.ts';

export interface EnableResult {
  table: string;
  hash: string;
  /** created: newly audited; updated: re-rendered (e.g. after a schema change); unchanged: nothing to do. */
  outcome: 'created' | 'updated' | 'unchanged';
}

/**
 * Enables auditing on a table. Idempotent: the same options again re-render (which brings an
 * outdated trigger up to date). Different options on an audited table are refused unless
 * `replace` is set, so a DBA never changes what is captured by accident.
 */
export async function enableAudit(db: Queryable, name: QualifiedName, options: AuditOptionsInput, replace = false): Promise<EnableResult> {
  await requireInstalled(db);
  const spec = await introspect(db, name, options);
  const rendered = renderAudit(spec);
  const existing = (await db.query(
    'SELECT options, sql_hash FROM audit.audited_tables WHERE schema_name = $1 AND table_name = $2',
    [name.schema, name.table],
  )).rows[0];
  // jsonb reorders keys, so compare both sides in normalizeOptions' fixed key order.
  if (existing && !replace && JSON.stringify(normalizeOptions(existing.options)) !== JSON.stringify(spec.options)) {
    throw new UserError(`${displayName(name)} is already audited with different options`, {
      hint: 'run `pgtrail disable` first, or pass --replace to switch to the new options',
    });
  }
  await db.query(rendered.enableSql);
  const outcome = !existing ? 'created' : existing.sql_hash === rendered.hash ? 'unchanged' : 'updated';
  return { table: displayName(name), hash: rendered.hash, outcome };
}

/** Disables auditing; removes every object enable created. Recorded events stay. */
export async function disableAudit(db: Queryable, name: QualifiedName): Promise<boolean> {
  await requireInstalled(db);
  const existing = (await db.query(
    'SELECT 1 FROM audit.audited_tables WHERE schema_name = $1 AND table_name = $2',
    [name.schema, name.table],
  )).rows.length > 0;
  if (!existing) throw new UserError(`${displayName(name)} is not audited`, { hint: 'see `pgtrail status`' });
  await db.query(renderDisable(name));
  return true;
}
