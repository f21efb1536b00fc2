// Which audited table a record belongs to: target_type as events carry it (`schema.table`), or the
// application type a table stands for (audit.audited_tables.options ->> 'entity'), and what the
// registry and the catalog say about that table now (options, key, columns).
import type { Queryable } from '../../db/queryable.ts';
import { UserError } from '../../db/errors.ts';
import { ACTIONS, ROW_CHANGES, type Action } from '../../generator/spec.ts';
import { findAuditedTables } from '../targets.ts';


export interface RecordTarget {
  /** `schema.table`, as the row-change events carry it. */
  targetType: string;
  /** The application type the table stands for, whose own events (log_event) join the timeline. */
  entity: string | null;
  /** Registry row: null when the table is no longer audited (only its events remain). */
  audited: {
    exclude: string[];
    redact: string[];
    ignore: string[];
    actions: Action[];
    keyColumns: string[];
  } | null;
  /** The table's columns now, in order; null when the table no longer exists. */
  columnsNow: string[] | null;
}

const MAX_TEXT = 1024;

export function checkText(field: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new UserError(`${field}: required`);
  if (value.includes('\0')) throw new UserError(`${field}: must not contain NUL bytes`);
  if (Buffer.byteLength(value) > MAX_TEXT) throw new UserError(`${field}: is longer than ${MAX_TEXT} bytes`);
  return value;
}

export async function resolveTarget(db: Queryable, typeName: string): Promise<RecordTarget> {
  const rows = await findAuditedTables(db, typeName, { entity: true });
  if (rows.length > 1 && rows[0].target_type !== typeName) {
    const names = rows.map((r) => r.target_type).join(', ');
    throw new UserError(`target_type: "${typeName}" is the application type of several tables (${names}); name the table`);
  }
  const row = rows[0];
  if (row) {
    const o = row.options ?? {};
    return {
      targetType: row.target_type,
      entity: typeof o.entity === 'string' && o.entity !== '' ? o.entity : null,
      audited: {
        exclude: o.exclude ?? [], redact: o.redact ?? [], ignore: o.ignore ?? [],
        actions: o.actions ?? [...ACTIONS], keyColumns: row.key_columns ?? [],
      },
      columnsNow: await columnsNow(db, row.schema_name, row.table_name),
    };
  }
  // Not audited now: a table disabled since still has its history.
  const known = await db.query(
    `SELECT EXISTS (SELECT FROM audit.events WHERE target_type = $1 AND action = ANY($2::text[])) AS rows,
            EXISTS (SELECT FROM audit.events WHERE target_type = $1) AS any`, [typeName, ROW_CHANGES]);
  if (known.rows[0].rows) {
    const dot = typeName.indexOf('.');
    return {
      targetType: typeName, entity: null, audited: null,
      columnsNow: dot > 0 ? await columnsNow(db, typeName.slice(0, dot), typeName.slice(dot + 1)) : null,
    };
  }
  if (known.rows[0].any) {
    throw new UserError(`target_type: "${typeName.slice(0, 80)}" is an application type, not an audited table; only rows of audited tables have a state to reconstruct`);
  }
  throw new UserError(`target_type: "${typeName.slice(0, 80)}" is not an audited table (pgtrail status lists them) and no event names it`);
}

async function columnsNow(db: Queryable, schema: string, table: string): Promise<string[] | null> {
  const { rows } = await db.query(
    `SELECT a.attname
       FROM pg_catalog.pg_attribute AS a
       JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_namespace AS ns ON ns.oid = c.relnamespace
      WHERE ns.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`, [schema, table]);
  return rows.length ? rows.map((r) => r.attname) : null;
}
