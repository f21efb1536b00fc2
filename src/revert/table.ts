// What a revert needs to know about the audited table an event names: whether it is still
// audited (and with which options), its key, and its columns as they are now. Catalog and
// registry reads only, so the console's read-only role can plan a revert it may not run.
import type { Queryable } from '../db/queryable.ts';
import { ACTIONS } from '../generator/spec.ts';
import { findAuditedTables } from '../query/targets.ts';

export interface ColumnNow {
  name: string;
  notNull: boolean;
  /** A default, an identity or a generated expression: an INSERT may leave it out. */
  hasDefault: boolean;
  /** GENERATED ALWAYS AS IDENTITY: an INSERT that gives the value needs OVERRIDING SYSTEM VALUE. */
  identityAlways: boolean;
  /** GENERATED ALWAYS AS (…) STORED: never written, PostgreSQL computes it. */
  generated: boolean;
}

export interface RevertTable {
  schema: string;
  table: string;
  /** target_type as events carry it: schema.table. */
  name: string;
  keyColumns: string[];
  exclude: string[];
  redact: string[];
  ignore: string[];
  /** Columns now, in table order; empty when the table no longer exists. */
  columns: ColumnNow[];
  /** The row changes the table's capture records (the --actions option). */
  actions: string[];
  /** Capture triggers that would not record the revert (disabled, replica only, or none at all). */
  captureOff: string[];
}

/** The audited table behind a row-change event's target_type, or null when it is not audited (any more). */
export async function loadTable(db: Queryable, targetType: string): Promise<RevertTable | null> {
  const rows = await findAuditedTables(db, targetType);
  if (rows.length !== 1) return null;
  const r = rows[0];
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const columns = (await db.query(
    `SELECT a.attname AS name, a.attnotnull AS "notNull",
            a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '' AS "hasDefault",
            a.attidentity = 'a' AS "identityAlways", a.attgenerated <> '' AS generated
       FROM pg_catalog.pg_attribute AS a
       JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`, [r.schema_name, r.table_name])).rows as ColumnNow[];
  // A revert is recorded by the capture triggers; where they are off it would change the row unseen.
  const triggers = (await db.query(
    `SELECT t.tgname AS name, t.tgenabled AS state
       FROM pg_catalog.pg_trigger AS t
       JOIN pg_catalog.pg_proc AS p ON p.oid = t.tgfoid
       JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
       JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND NOT t.tgisinternal
        AND p.pronamespace = 'audit'::regnamespace AND p.proname LIKE 'capture\\_%'`, [r.schema_name, r.table_name])).rows as Array<{ name: string; state: string }>;
  const captureOff = columns.length === 0 ? [] : triggers.length === 0 ? ['no capture trigger'] : triggers.filter((t) => t.state === 'D' || t.state === 'R').map((t) => `${t.name} ${t.state === 'D' ? 'disabled' : 'replica only'}`);
  return {
    schema: r.schema_name, table: r.table_name, name: targetType, keyColumns: r.key_columns,
    exclude: list(r.options?.exclude), redact: list(r.options?.redact), ignore: list(r.options?.ignore), columns, captureOff,
    actions: Array.isArray(r.options?.actions) ? list(r.options.actions) : [...ACTIONS],
  };
}
