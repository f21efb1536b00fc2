// The pure renderer: TableSpec → SQL, the same text every time for the same spec. Everything that
// needs the catalog happened in introspect.ts; everything per-row is decided here, at generation.
import { createHash } from 'node:crypto';
import { readSql } from '../db/sql-files.ts';
import { UserError } from '../db/errors.ts';
import { displayName, qualify, quoteIdent, quoteLiteral } from '../db/sql.ts';
import { CANONICAL_SETTINGS } from './canonical.ts';
import { parseLabel, renderLabel, type Token } from './label.ts';
import { captureFunctionName, labelFunctionName, triggerName } from './names.ts';
import { ACTIONS, type Action, type AuditOptions, type ColumnSpec, type TableSpec } from './spec.ts';
import { renderVerb } from './verbs.ts';

export const TEMPLATE_VERSION = 3;
const template = readSql(`templates/trigger.v${TEMPLATE_VERSION}.sql`);

/** The mask written in place of a redacted value. */
import { REDACTED } from './markers.ts';

export interface RenderedAudit {
  /** Function + triggers; what the hash covers. */
  definition: string;
  /** sha256 of `definition`, stored on the triggers and in the registry. */
  hash: string;
  /** Complete, idempotent enable script: definition, trigger comments, registry row. */
  enableSql: string;
  /** Removes every object `enableSql` created. */
  disableSql: string;
}

const CONTEXT = 'v_ctx.actor_type, v_ctx.actor_id, v_ctx.actor_name, v_ctx.ip, v_ctx.user_agent, v_ctx.request_id, v_ctx.db_user, v_ctx.app_name';
const COLUMNS = 'occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, user_agent, request_id, db_user, app_name';

/** How one row is referred to in a query: the row value itself and one of its columns. */
interface RowRef {
  row: string;
  col(name: string): string;
}
const alias = (a: string): RowRef => ({ row: a, col: (c) => `${a}.${quoteIdent(c)}` });
const field = (a: string): RowRef => ({ row: a, col: (c) => `(${a}).${quoteIdent(c)}` });

function textArray(names: string[]): string {
  return names.length === 0 ? `'{}'::text[]` : `ARRAY[${names.map(quoteLiteral).join(', ')}]::text[]`;
}

/** target_id: the key as text; a composite key as a JSON array, e.g. `[42,"eu"]`; NULL without key. */
function targetId(spec: TableSpec, ref: RowRef): string {
  const keys = spec.keyColumns;
  if (keys.length === 0) return 'NULL';
  if (keys.length === 1) return `${ref.col(keys[0])}::text`;
  return `pg_catalog.jsonb_build_array(${keys.map((k) => ref.col(k)).join(', ')})::text`;
}

/**
 * The row as JSONB, as to_jsonb renders it, less excluded columns, redacted ones masked. With
 * `capped`, built column by column instead, each value whose stored size exceeds the cap replaced
 * by its size and md5, so that a row holding hundreds of megabytes never makes the audited write
 * fail (to_jsonb of a 600 MB bytea would pass PostgreSQL's 1 GB limit).
 */
function rowData(spec: TableSpec, ref: RowRef, capped = false, unchanged?: Unchanged): string {
  const { exclude, redact } = spec.options;
  let json = capped ? cappedRow(spec, ref, unchanged) : `pg_catalog.to_jsonb(${ref.row})`;
  if (exclude.length > 0) json = `(${json}) - ${textArray(exclude)}`;
  if (redact.length > 0) {
    const masks = redact.map((c) => `${quoteLiteral(c)}, CASE WHEN ${ref.col(c)} IS NULL THEN NULL ELSE ${quoteLiteral(REDACTED)} END`);
    json = `(${json}) || pg_catalog.jsonb_build_object(${masks.join(', ')})`;
  }
  return json;
}

/**
 * How a capped row treats the columns an UPDATE left alone: `old` leaves them out (SQL NULL here,
 * removed with the unchanged list after), `new` records an oversized one without reading it.
 */
type Unchanged = { side: 'old' | 'new'; when: (c: ColumnSpec) => string };

/** The recorded value of one column in a capped row: the value, or size + md5 when it exceeds the cap. */
function cappedValue(spec: TableSpec, c: ColumnSpec, value: string, unchangedWhen?: Unchanged): string {
  if (unchangedWhen?.side === 'old') return `CASE WHEN ${unchangedWhen.when(c)} THEN NULL ELSE ${cappedValue(spec, c, value)} END`;
  const unchanged = unchangedWhen?.when(c);
  const size = `pg_catalog.pg_column_size(${value})`;
  const md5 = `pg_catalog.md5(${value}${c.bytea ? '' : '::text'})`;
  const marker = `pg_catalog.jsonb_build_object('$pgtrail', 'oversized', 'bytes', ${size}, 'md5', ${md5})`;
  // An oversized value an UPDATE left alone is not read again: its md5 is in the event that wrote it.
  const recorded = unchanged
    ? `CASE WHEN ${unchanged} THEN pg_catalog.jsonb_build_object('$pgtrail', 'oversized', 'bytes', ${size}, 'unchanged', true) ELSE ${marker} END`
    : marker;
  return `CASE WHEN ${size} > ${spec.options.maxValueBytes} THEN ${recorded} ELSE pg_catalog.to_jsonb(${value}) END`;
}

/**
 * Built column by column (never from the whole row, whose value would read every TOASTed column).
 * jsonb_build_object takes at most 100 arguments, so wide tables are built in chunks of 50 columns.
 */
function cappedRow(spec: TableSpec, ref: RowRef, unchanged?: Unchanged): string {
  const excluded = new Set(spec.options.exclude);
  const pairs = spec.columns.filter((c) => !excluded.has(c.name))
    .map((c) => `${quoteLiteral(c.name)}, ${cappedValue(spec, c, ref.col(c.name), unchanged)}`);
  if (pairs.length === 0) return `'{}'::jsonb`;
  const chunks: string[] = [];
  const indent = '\n               ';
  for (let i = 0; i < pairs.length; i += 50) chunks.push(`pg_catalog.jsonb_build_object(${indent}  ${pairs.slice(i, i + 50).join(`,${indent}  `)})`);
  return chunks.join(` ||${indent}`);
}

/** Does any value of the row exceed the cap? Column by column, so no TOASTed value is read. */
function anyOversized(spec: TableSpec, ref: RowRef): string {
  return spec.columns.map((c) => `pg_catalog.pg_column_size(${ref.col(c.name)}) > ${spec.options.maxValueBytes}`).join(' OR ');
}

/** Once per statement: does any row of the transition table(s) hold a value above the cap? */
function oversizedCheck(spec: TableSpec, tables: string[], alias: string): string {
  if (spec.options.maxValueBytes <= 0 || spec.columns.length === 0) return 'false';
  const ref: RowRef = { row: alias, col: (c) => `${alias}.${quoteIdent(c)}` };
  return tables
    .map((t) => `EXISTS (SELECT FROM ${t} AS ${alias} WHERE ${anyOversized(spec, ref)})`)
    .join(' OR ');
}

/** Context metadata, plus notes that apply to this row only (nested so the common case builds nothing). */
function metadata(notes: Array<{ when: string; add: string }>): string {
  let expr = 'v_ctx.metadata';
  for (const note of notes) {
    expr = `CASE WHEN ${note.when} THEN coalesce(${expr}, '{}'::jsonb) || ${note.add} ELSE ${expr} END`;
  }
  return expr;
}

function oversizedNote(spec: TableSpec, refs: RowRef[]): Array<{ when: string; add: string }> {
  const when = refs.map((r) => anyOversized(spec, r)).join(' OR ');
  return [{ when, add: `'{"oversized": true}'::jsonb` }];
}

/** text[] of the columns that differ between the two rows (or, with `unchanged`, that do not). */
function columnNames(spec: TableSpec, o: RowRef, n: RowRef, unchanged = false): string {
  const excluded = new Set(spec.options.exclude);
  const checks = spec.columns
    .filter((c) => !excluded.has(c.name))
    .map((c) => {
      const [a, b] = c.typedEquality ? [o.col(c.name), n.col(c.name)] : [`${o.col(c.name)}::text`, `${n.col(c.name)}::text`];
      return unchanged
        ? `CASE WHEN ${a} IS NOT DISTINCT FROM ${b} THEN ${quoteLiteral(c.name)} END`
        : `CASE WHEN ${a} IS DISTINCT FROM ${b} THEN ${quoteLiteral(c.name)} END`;
    });
  return checks.length === 0 ? `'{}'::text[]` : `pg_catalog.array_remove(ARRAY[${checks.join(',\n                       ')}]::text[], NULL)`;
}

/**
 * Old and new version of each updated row, paired by position, with the changed and unchanged
 * column lists. OFFSET 0 fences the subquery so each list is computed once per row.
 */
function updatePairs(spec: TableSpec, t: string): string {
  const o = field('o.r');
  const n = field('n.r');
  return `SELECT o.r AS old_row, n.r AS new_row,
                     ${columnNames(spec, o, n)} AS changed,
                     ${columnNames(spec, o, n, true)} AS unchanged
                FROM (SELECT pg_catalog.row_number() OVER () AS rn, ${t} AS r FROM pgtrail_old AS ${t}) AS o
                JOIN (SELECT pg_catalog.row_number() OVER () AS rn, ${t} AS r FROM pgtrail_new AS ${t}) AS n
                  ON n.rn = o.rn
              OFFSET 0`;
}

/**
 * The capped UPDATE: old and new rows paired by position as in updatePairs, but carried column by
 * column, so a TOASTed value stays a pointer until something needs its bytes; each column is
 * compared once. With toastIdentity, a value whose pointer is the same on both sides is unchanged
 * without being read.
 */
function updatePairsCapped(spec: TableSpec, t: string, o: RowRef, n: RowRef): string {
  const excluded = new Set(spec.options.exclude);
  const rn = rowAlias(spec, 'pgtrail_rn');
  const compared = spec.columns.filter((c) => !excluded.has(c.name));
  const same = compared.map((c, i) => {
    const [a, b] = [o.col(c.name), n.col(c.name)];
    const equal = c.typedEquality ? `${a} IS NOT DISTINCT FROM ${b}` : `${a}::text IS NOT DISTINCT FROM ${b}::text`;
    const pointer = spec.toastIdentity
      ? `coalesce(pg_catalog.pg_column_toast_chunk_id(${a}) = pg_catalog.pg_column_toast_chunk_id(${b}), false) OR `
      : '';
    return `${pointer}${equal} AS s${i}`;
  });
  const names = (want: boolean) => compared.length === 0
    ? `'{}'::text[]`
    : `pg_catalog.array_remove(ARRAY[${compared.map((c, i) => `CASE WHEN ${want ? '' : 'NOT '}s.s${i} THEN ${quoteLiteral(c.name)} END`).join(', ')}]::text[], NULL)`;
  const sameList = same.length === 0 ? 'true AS s0' : same.join(',\n                              ');
  return `(SELECT pg_catalog.row_number() OVER () AS ${rn}, ${t}.* FROM pgtrail_old AS ${t}) AS ${o.row}
        JOIN (SELECT pg_catalog.row_number() OVER () AS ${rn}, ${t}.* FROM pgtrail_new AS ${t}) AS ${n.row}
          ON ${n.row}.${rn} = ${o.row}.${rn}
       CROSS JOIN LATERAL (SELECT ${names(false)} AS changed, ${names(true)} AS unchanged
                             FROM (SELECT ${sameList} OFFSET 0) AS s) AS d`;
}

function updateFilter(spec: TableSpec): string {
  if (spec.options.logUnchanged) return 'true';
  if (spec.options.ignore.length === 0) return `d.changed <> '{}'::text[]`;
  // Only ignored columns changed (or nothing): `{} <@ x` is true, so both are skipped.
  return `NOT (d.changed <@ ${textArray(spec.options.ignore)})`;
}

function triggers(spec: TableSpec, fn: string): string {
  return [spec, ...spec.partitions].map((table) => triggersOn(qualify(table), spec, fn)).join('\n');
}

function triggersOn(table: string, spec: TableSpec, fn: string): string {
  const lines: string[] = [];
  const referencing: Record<Action, string> = {
    insert: 'REFERENCING NEW TABLE AS pgtrail_new ',
    update: 'REFERENCING OLD TABLE AS pgtrail_old NEW TABLE AS pgtrail_new ',
    delete: 'REFERENCING OLD TABLE AS pgtrail_old ',
    truncate: '',
  };
  for (const action of ACTIONS) {
    const name = quoteIdent(triggerName(action));
    lines.push(`DROP TRIGGER IF EXISTS ${name} ON ${table};`);
    if (spec.options.actions.includes(action)) {
      // Transition tables need one trigger per event (PostgreSQL refuses them on multi-event triggers).
      lines.push(`CREATE TRIGGER ${name} AFTER ${action.toUpperCase()} ON ${table} ${referencing[action]}FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();`);
      // ALWAYS: fires also where session_replication_role = replica (logical replication apply,
      // pg_restore --disable-triggers), which skips ordinary triggers.
      if (spec.options.onReplica) lines.push(`ALTER TABLE ${table} ENABLE ALWAYS TRIGGER ${name};`);
    }
  }
  return lines.join('\n');
}

/** The text stored in COMMENT ON TRIGGER; `status` reads version and hash back from it. */
export function triggerComment(hash: string): string {
  return `pgtrail template=v${TEMPLATE_VERSION} hash=${hash}`;
}

export function parseTriggerComment(comment: string | null): { version: number; hash: string } | null {
  const m = comment?.match(/^pgtrail template=v(\d+) hash=([0-9a-f]{64})$/);
  return m ? { version: Number(m[1]), hash: m[2] } : null;
}

/** An alias for a whole row that no column of the table shadows. */
function rowAlias(spec: TableSpec, base: string): string {
  const taken = new Set(spec.columns.map((c) => c.name));
  let name = base;
  while (taken.has(name)) name += '_';
  return name;
}

/** Where the block that is rendered twice for a labelled table starts and ends (trigger.v3.sql). */
const SECTION_BEGIN = '  -- capture:begin\n';
const SECTION_END = '  -- capture:end\n';
/**
 * Stands for the body's dollar quote until the body is complete. It holds NUL, which no rendered
 * name or literal can (quoteIdent and quoteLiteral refuse it), so nothing rendered can fake it.
 */
const TAG = '\0tag\0';

/** The first `$pgtrail…$` that occurs nowhere in the text: the body can never end early. */
function dollarTag(text: string): string {
  for (let i = 0; ; i++) {
    const tag = `$pgtrail${i === 0 ? '' : i}$`;
    if (!text.includes(tag)) return tag;
  }
}

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (key === 'tag') return TAG;
    if (!(key in values)) throw new Error(`template v${TEMPLATE_VERSION} has an unknown placeholder {{${key}}}`);
    return values[key];
  });
}

/** The label function: one row's label, or NULL and the error it raised (only the fallback calls it). */
function labelFunction(spec: TableSpec, tokens: Token[] | null): string {
  const fn = `audit.${quoteIdent(labelFunctionName(spec))}`;
  if (!tokens) return `DROP FUNCTION IF EXISTS ${fn}(record);\n`;
  const label = renderLabel(tokens, (c) => `p_row.${quoteIdent(c)}`);
  return `CREATE OR REPLACE FUNCTION ${fn}(p_row record) RETURNS text[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS ${TAG}
BEGIN
  RETURN ARRAY[${label}, NULL];
EXCEPTION WHEN OTHERS THEN
  RETURN ARRAY[NULL, SQLERRM];
END
${TAG};
ALTER FUNCTION ${fn}(record) OWNER TO pgtrail_owner;
REVOKE ALL ON FUNCTION ${fn}(record) FROM PUBLIC;
`;
}

/**
 * The options as stored in audit.audited_tables: the v3 keys only when declared, so a table
 * enabled before them keeps the same stored options (an upgrade is not an option change).
 */
function storedOptions(options: AuditOptions): Partial<AuditOptions> {
  const { label, typeName, entity, verbs, ...rest } = options;
  return {
    ...rest,
    ...(label !== null ? { label } : {}),
    ...(typeName !== null ? { typeName } : {}),
    ...(entity !== null ? { entity } : {}),
    ...(verbs.length > 0 ? { verbs } : {}),
  };
}

export function renderAudit(spec: TableSpec): RenderedAudit {
  const fn = `audit.${quoteIdent(captureFunctionName(spec))}`;
  const [nName, oName, tName] = [rowAlias(spec, 'n'), rowAlias(spec, 'o'), rowAlias(spec, 't')];
  const n = alias(nName);
  const o = alias(oName);
  const dn = field('d.new_row');
  const dOld = field('d.old_row');
  const keyNoteOf = (before: RowRef, after: RowRef) => {
    const keyChanged = spec.keyColumns.map((k) => `${before.col(k)} IS DISTINCT FROM ${after.col(k)}`).join(' OR ');
    return keyChanged ? [{ when: keyChanged, add: `pg_catalog.jsonb_build_object('old_target_id', ${targetId(spec, before)})` }] : [];
  };
  const keyNote = keyNoteOf(dOld, dn);
  const leftAlone = (c: ColumnSpec) => `${quoteLiteral(c.name)} = ANY (d.unchanged)`;
  const tokens = spec.options.label === null ? null : parseLabel(spec.options.label, spec.columns.map((c) => c.name));
  const verbs = spec.options.verbs;
  for (const rule of verbs) {
    if (!spec.columns.some((c) => c.name === rule.column)) throw new UserError(`--verb ${rule.verb}: column "${rule.column}" does not exist in ${displayName(spec)}`);
  }

  const values: Record<string, string> = {
    function: fn,
    label_function: `audit.${quoteIdent(labelFunctionName(spec))}`,
    label_function_sql: labelFunction(spec, tokens),
    n: nName,
    o: oName,
    t: tName,
    columns: COLUMNS,
    context: CONTEXT,
    canonical_settings: CANONICAL_SETTINGS.filter(([name]) => spec.settings.includes(name))
      .map(([name, value]) => `\nSET ${quoteIdent(name)} = ${quoteLiteral(value)}`).join(''),
    target_type: quoteLiteral(displayName(spec)),
    oversized_new: oversizedCheck(spec, ['pgtrail_new'], tName),
    oversized_old: oversizedCheck(spec, ['pgtrail_old'], tName),
    oversized_old_new: oversizedCheck(spec, ['pgtrail_old', 'pgtrail_new'], tName),
    insert_target_id: targetId(spec, n),
    insert_new_data: rowData(spec, n),
    insert_new_data_capped: rowData(spec, n, true),
    update_target_id: targetId(spec, dn),
    update_pairs: updatePairs(spec, tName),
    update_old_data: rowData(spec, dOld),
    update_new_data: rowData(spec, dn),
    update_pairs_capped: updatePairsCapped(spec, tName, o, n),
    update_target_id_capped: targetId(spec, n),
    update_old_data_capped: rowData(spec, o, true, { side: 'old', when: leftAlone }),
    update_new_data_capped: rowData(spec, n, true, { side: 'new', when: leftAlone }),
    update_filter: updateFilter(spec),
    update_verb: renderVerb(verbs, dOld.col, dn.col),
    update_verb_capped: renderVerb(verbs, o.col, n.col),
    delete_target_id: targetId(spec, o),
    delete_old_data: rowData(spec, o),
    delete_old_data_capped: rowData(spec, o, true),
    triggers: triggers(spec, fn),
  };
  // The label inline (the first pass), or each row's own from the label function (the fallback).
  const labelled = (mode: 'inline' | 'per_row'): Record<string, string> => {
    const perRow = mode === 'per_row';
    const join = (row: string) => (perRow ? ` CROSS JOIN LATERAL (SELECT ${values.label_function}(${row}) AS l OFFSET 0) AS pgtrail_label` : '');
    const label = (ref: RowRef) => (!tokens ? 'NULL' : perRow ? 'pgtrail_label.l[1]' : renderLabel(tokens, ref.col));
    const note = perRow ? [{ when: 'pgtrail_label.l[2] IS NOT NULL', add: `pg_catalog.jsonb_build_object('label_error', pgtrail_label.l[2])` }] : [];
    return {
      ...values,
      insert_label: label(n),
      insert_label_join: join(nName),
      insert_metadata: metadata(note),
      insert_metadata_capped: metadata([...oversizedNote(spec, [n]), ...note]),
      update_label: label(dn),
      update_label_join: join('d.new_row'),
      update_label_capped: label(n),
      update_label_join_capped: join(nName),
      update_metadata: metadata([...keyNote, ...note]),
      update_metadata_capped: metadata([...oversizedNote(spec, [o, n]), ...keyNoteOf(o, n), ...note]),
      delete_label: label(o),
      delete_label_join: join(oName),
      delete_metadata: metadata(note),
      delete_metadata_capped: metadata([...oversizedNote(spec, [o]), ...note]),
    };
  };
  const begin = template.indexOf(SECTION_BEGIN);
  const end = template.indexOf(SECTION_END) + SECTION_END.length;
  const section = template.slice(begin, end);
  const capture = !tokens ? fill(section, labelled('inline')) : [
    '  BEGIN\n',
    fill(section, labelled('inline')),
    '  EXCEPTION WHEN OTHERS THEN\n',
    '  -- A label raised on some row: record every row again, each label evaluated on its own.\n',
    fill(section, labelled('per_row')),
    '  END;\n',
  ].join('');
  const body = fill(template.slice(0, begin), values) + capture + fill(template.slice(end), values);
  const definition = body.replaceAll(TAG, dollarTag(body));
  const hash = createHash('sha256').update(definition).digest('hex');

  const comments = [spec, ...spec.partitions]
    .flatMap((table) => spec.options.actions.map((a) =>
      `COMMENT ON TRIGGER ${quoteIdent(triggerName(a))} ON ${qualify(table)} IS ${quoteLiteral(triggerComment(hash))};`))
    .join('\n');
  const registry = `INSERT INTO audit.audited_tables (schema_name, table_name, options, key_columns, template_version, sql_hash)
VALUES (${quoteLiteral(spec.schema)}, ${quoteLiteral(spec.table)}, ${quoteLiteral(JSON.stringify(storedOptions(spec.options)))}::jsonb, ${textArray(spec.keyColumns)}, ${TEMPLATE_VERSION}, ${quoteLiteral(hash)})
ON CONFLICT (schema_name, table_name) DO UPDATE
  SET options = EXCLUDED.options, key_columns = EXCLUDED.key_columns, template_version = EXCLUDED.template_version,
      sql_hash = EXCLUDED.sql_hash, enabled_at = now(), enabled_by = session_user;`;

  return {
    definition,
    hash,
    enableSql: `${definition}\n${comments}\n${registry}\n`,
    disableSql: renderDisable(spec),
  };
}

/**
 * Drops every object enable created; safe to run when some are already gone. CASCADE removes the
 * triggers on the table and on each of its partitions, which all depend on the capture function —
 * including partitions attached since, and even when the table itself was renamed.
 */
export function renderDisable(table: { schema: string; table: string }): string {
  return [
    `DROP FUNCTION IF EXISTS audit.${quoteIdent(captureFunctionName(table))}() CASCADE;`,
    `DROP FUNCTION IF EXISTS audit.${quoteIdent(labelFunctionName(table))}(record);`,
    `DELETE FROM audit.audited_tables WHERE schema_name = ${quoteLiteral(table.schema)} AND table_name = ${quoteLiteral(table.table)};`,
  ].join('\n') + '\n';
}
