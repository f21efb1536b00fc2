// Catalog → TableSpec. All catalog lookups happen here, at generation time, never in a trigger.
import { UserError } from '../db/errors.ts';
import type { Queryable } from '../db/queryable.ts';
import { displayName, qualify, quoteIdent, type QualifiedName } from '../db/sql.ts';
import { parseLabel, renderLabel } from './label.ts';
import { checkVerbRule } from './verbs.ts';
import { settingsFor } from './canonical.ts';
import { normalizeOptions, type AuditOptions, type AuditOptionsInput, type ColumnSpec, type TableSpec } from './spec.ts';

/**
 * Built-in types whose `=` means "renders identically", so changed_fields can compare values
 * directly. Everything else (numeric 1.0 vs 1.00, interval, json, citext, geometric types whose
 * `=` compares areas, composites, ranges …) compares text forms: slower, never misses a change.
 */
const TYPED_EQUALITY = new Set([
  'bool', 'int2', 'int4', 'int8', 'oid', 'char', 'name', 'text', 'varchar', 'bpchar', 'uuid', 'bytea',
  'date', 'time', 'timestamp', 'timestamptz', 'inet', 'cidr', 'macaddr', 'macaddr8', 'jsonb',
]);

const tableQuery = `
SELECT c.oid, c.relkind, c.relispartition
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_namespace AS ns ON ns.oid = c.relnamespace
 WHERE ns.nspname = $1 AND c.relname = $2`;

// A domain resolves to its base type (two levels deep is plenty; deeper domains compare as text).
const columnsQuery = `
WITH cols AS (
  SELECT a.attname, a.attnum, a.atttypid AS typ
    FROM pg_catalog.pg_attribute AS a
   WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
), based AS (
  SELECT cols.*, coalesce(nullif(d2.typbasetype, 0), d2.oid) AS base
    FROM cols
    JOIN pg_catalog.pg_type AS d1 ON d1.oid = cols.typ
    JOIN pg_catalog.pg_type AS d2 ON d2.oid = coalesce(nullif(d1.typbasetype, 0), d1.oid)
)
SELECT based.attname AS name,
       bt.typtype AS base_kind, bn.nspname AS base_schema, bt.typname AS base_name,
       et.typtype AS elem_kind, en.nspname AS elem_schema, et.typname AS elem_name
  FROM based
  JOIN pg_catalog.pg_type AS bt ON bt.oid = based.base
  JOIN pg_catalog.pg_namespace AS bn ON bn.oid = bt.typnamespace
  LEFT JOIN pg_catalog.pg_type AS et ON et.oid = bt.typelem AND bt.typcategory = 'A'
  LEFT JOIN pg_catalog.pg_namespace AS en ON en.oid = et.typnamespace
 ORDER BY based.attnum`;

const partitionsQuery = `
SELECT n.nspname AS schema, c.relname AS table
  FROM pg_catalog.pg_partition_tree($1) AS p
  JOIN pg_catalog.pg_class AS c ON c.oid = p.relid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
 WHERE p.relid <> $1::regclass AND c.relkind IN ('r', 'p')
 ORDER BY n.nspname, c.relname`;

const primaryKeyQuery = `
SELECT a.attname
  FROM pg_catalog.pg_index AS i
 CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
 WHERE i.indrelid = $1 AND i.indisprimary
 ORDER BY k.ord`;

function typed(kind: string | null, schema: string | null, name: string | null): boolean {
  if (kind === 'e') return true; // enums: equal means identical label
  return kind === 'b' && schema === 'pg_catalog' && name !== null && TYPED_EQUALITY.has(name);
}

export async function tableExists(db: Queryable, name: QualifiedName): Promise<boolean> {
  return (await db.query(tableQuery, [name.schema, name.table])).rows.length > 0;
}

export async function introspect(db: Queryable, name: QualifiedName, partial: AuditOptionsInput): Promise<TableSpec> {
  const shown = displayName(name);
  const found = (await db.query(tableQuery, [name.schema, name.table])).rows[0];
  if (!found) throw new UserError(`table ${shown} does not exist`, { hint: 'check the name; quote mixed case: \'"MySchema"."MyTable"\'' });
  if (found.relkind !== 'r' && found.relkind !== 'p') {
    throw new UserError(`${shown} is not a table (relkind ${found.relkind}); only tables and partitioned tables can be audited`);
  }
  if (found.relispartition) {
    throw new UserError(`${shown} is a partition; audit its partitioned parent, which covers every partition`);
  }
  if (name.schema === 'audit') throw new UserError('the audit schema itself cannot be audited');

  const columnRows = (await db.query(columnsQuery, [found.oid])).rows;
  const columns: ColumnSpec[] = columnRows.map((r) => ({
    name: r.name,
    typedEquality: r.elem_kind ? typed(r.elem_kind, r.elem_schema, r.elem_name) : typed(r.base_kind, r.base_schema, r.base_name),
    bytea: !r.elem_kind && r.base_schema === 'pg_catalog' && r.base_name === 'bytea',
  }));
  const options = normalizeOptions(partial);
  const known = new Set(columns.map((c) => c.name));
  for (const [option, list] of Object.entries({ exclude: options.exclude, redact: options.redact, ignore: options.ignore, key: options.key })) {
    for (const column of list) {
      if (!known.has(column)) throw new UserError(`--${option}: column "${column}" does not exist in ${shown}`);
    }
  }
  const both = options.exclude.filter((c) => options.redact.includes(c));
  if (both.length > 0) throw new UserError(`column "${both[0]}" cannot be both excluded and redacted`);

  const primaryKey: string[] = (await db.query(primaryKeyQuery, [found.oid])).rows.map((r) => r.attname);
  const keyColumns = options.key.length > 0 ? options.key : primaryKey;
  const hiddenKey = keyColumns.find((k) => options.exclude.includes(k) || options.redact.includes(k));
  if (hiddenKey) throw new UserError(`key column "${hiddenKey}" cannot be excluded or redacted: it is the event's target_id`);

  const partitions = found.relkind === 'p' ? (await db.query(partitionsQuery, [found.oid])).rows : [];
  const version = Number((await db.query(`SELECT current_setting('server_version_num') AS v`)).rows[0].v);
  const toastIdentity = version >= 170000 && found.relkind === 'r';
  const settings = settingsFor(columnRows
    .filter((r) => !options.exclude.includes(r.name))
    .map((r) => (r.elem_kind ? { kind: r.elem_kind, schema: r.elem_schema, name: r.elem_name } : { kind: r.base_kind, schema: r.base_schema, name: r.base_name })));
  checkNames(options, shown);
  // A label or verb over a column the DBA hid would put its value in target_label or reveal it by
  // the verb: refused, not silently recorded.
  const hidden = (column: string) => (options.exclude.includes(column) ? 'excluded' : options.redact.includes(column) ? 'redacted' : null);
  for (const rule of options.verbs) {
    checkVerbRule(rule);
    if (!known.has(rule.column)) throw new UserError(`--verb ${rule.verb}: column "${rule.column}" does not exist in ${shown}`);
    if (hidden(rule.column)) throw new UserError(`--verb ${rule.verb}: column "${rule.column}" is ${hidden(rule.column)}; a verb over it would reveal its value`);
  }
  if (options.label !== null) {
    const secret = parseLabel(options.label, columns.map((c) => c.name)).find((t) => t.kind === 'column' && hidden(t.name));
    if (secret?.kind === 'column') throw new UserError(`--label: column "${secret.name}" is ${hidden(secret.name)}; the label would record its value`);
    await checkLabel(db, name, options.label, columns.map((c) => c.name));
  }
  return { schema: name.schema, table: name.table, columns, keyColumns, partitions, toastIdentity, settings, options };
}

const MAX_NAME_BYTES = 200;

function checkNames(options: AuditOptions, shown: string): void {
  for (const [flag, value] of [['--type-name', options.typeName], ['--entity', options.entity]] as const) {
    if (value === null) continue;
    if (value.trim() === '' || value.includes('\0') || Buffer.byteLength(value) > MAX_NAME_BYTES) {
      throw new UserError(`${flag}: expected a name of 1 to ${MAX_NAME_BYTES} bytes, got ${JSON.stringify(value.slice(0, 40))}`);
    }
  }
  if (options.entity === shown) throw new UserError(`--entity: "${shown}" is the table itself; name the application's type (e.g. campaign)`);
}

/**
 * The label is read by parseLabel (what may appear); here PostgreSQL plans it over the table, so an
 * expression that does not type-check or calls a function with the wrong arguments is refused
 * when enabling, not at the first write. LIMIT 0: nothing is read.
 */
async function checkLabel(db: Queryable, name: QualifiedName, label: string, columns: string[]): Promise<void> {
  const expression = renderLabel(parseLabel(label, columns), (c) => `t.${quoteIdent(c)}`);
  try {
    await db.query(`SELECT ${expression} FROM ${qualify(name)} AS t LIMIT 0`);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UserError(`--label: ${message}`, { cause: error });
  }
}
