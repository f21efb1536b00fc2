// Hand-written alternatives to template v1, for the 10-column bench table only (bench --variants).
// Each is derived from v1's rendered SQL for public.bench_wide (print it with
// `renderAudit(await introspect(db, {schema: 'public', table: 'bench_wide'}, {})).definition`):
// same columns, same context, same oversize cap, same changed_fields and "skip no-op updates" rule.
// Only the two axes under study differ:
//   stmt-changed  statement-level + transition tables (as v1), old_data = old values of changed columns only
//   row-full      row-level trigger, old_data = full old row (as v1)
//   row-changed   row-level trigger, old_data = old values of changed columns only
// plus two no-op triggers that isolate the cost of firing a trigger / filling transition tables,
// and `bare-row`: the calibration point of the reference run (external peer-harness) — a bare hand-written row trigger inserting
// to_jsonb(OLD) / to_jsonb(NEW) into a table with no indexes (said to reach about 0.93 (a) and
// 3.0–3.2× (c) on this kind of machine), measured in the same run to show how this harness compares.
// These are benchmark fixtures, not product code: nothing here is installed by pgtrail.

export const TABLE = 'public.bench_wide';

export const TABLE_DDL = `
CREATE TABLE public.bench_wide (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text NOT NULL,
  qty        integer NOT NULL,
  price      numeric(12,2) NOT NULL,
  created_at timestamptz NOT NULL,
  active     boolean NOT NULL,
  attrs      jsonb,
  ref        uuid,
  score      double precision,
  note       text
)`;

/** [column, compares with its own `=`] — as introspect.ts decides (numeric and float8 compare as text). */
const COLUMNS: Array<[string, boolean]> = [
  ['id', true], ['name', true], ['qty', true], ['price', false], ['created_at', true],
  ['active', true], ['attrs', true], ['ref', true], ['score', false], ['note', true],
];
const CAP = 1048576;
const EVENT_COLS = 'occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, user_agent, request_id, db_user, app_name';
const CTX = 'v_ctx.actor_type, v_ctx.actor_id, v_ctx.actor_name, v_ctx.ip, v_ctx.user_agent, v_ctx.request_id, v_ctx.db_user, v_ctx.app_name';

export type VariantName = 'stmt-changed' | 'row-full' | 'row-changed' | 'noop-stmt' | 'noop-row' | 'bare-row';

/** v1's rowData(): to_jsonb(row), or — above the cap, never taken here — the per-column capped object (render.ts cappedRow). */
const capped = (r: string) => `pg_catalog.jsonb_build_object(${COLUMNS.map(([c]) => {
  const v = `${r}."${c}"`, size = `pg_catalog.pg_column_size(${v})`;
  return `'${c}', CASE WHEN ${size} > ${CAP} THEN pg_catalog.jsonb_build_object('$pgtrail', 'oversized', 'bytes', ${size}, 'md5', pg_catalog.md5(${v}::text)) ELSE pg_catalog.to_jsonb(${v}) END`;
}).join(', ')})`;
const data = (r: string) => `CASE WHEN pg_catalog.pg_column_size(${r}) > ${CAP} THEN ${capped(r)} ELSE pg_catalog.to_jsonb(${r}) END`;
const meta = (rows: string[]) =>
  `CASE WHEN ${rows.map((r) => `pg_catalog.pg_column_size(${r}) > ${CAP}`).join(' OR ')} THEN coalesce(v_ctx.metadata, '{}'::jsonb) || '{"oversized": true}'::jsonb ELSE v_ctx.metadata END`;
const updMeta = (o: string, n: string) =>
  `CASE WHEN ${o}."id" IS DISTINCT FROM ${n}."id" THEN coalesce(${meta([o, n])}, '{}'::jsonb) || pg_catalog.jsonb_build_object('old_target_id', ${o}."id"::text) ELSE ${meta([o, n])} END`;
const cmp = (o: string, n: string, c: string, typed: boolean) =>
  typed ? `${o}."${c}" IS DISTINCT FROM ${n}."${c}"` : `${o}."${c}"::text IS DISTINCT FROM ${n}."${c}"::text`;
/** text[] of changed (or, with `unchanged`, of unchanged) column names. */
const names = (o: string, n: string, unchanged = false) =>
  `pg_catalog.array_remove(ARRAY[${COLUMNS.map(([c, t]) => `CASE WHEN ${cmp(o, n, c, t)} THEN ${unchanged ? 'NULL' : `'${c}'`} ELSE ${unchanged ? `'${c}'` : 'NULL'} END`).join(', ')}]::text[], NULL)`;

const HEADER = (fn: string) => `CREATE OR REPLACE FUNCTION audit.${fn}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $bench$`;
const FOOTER = (fn: string) => `$bench$;
ALTER FUNCTION audit.${fn}() OWNER TO pgtrail_owner;
REVOKE ALL ON FUNCTION audit.${fn}() FROM PUBLIC;`;

const DROP_TRIGGERS = ['pgtrail_insert', 'pgtrail_update', 'pgtrail_delete', 'pgtrail_truncate', 'pgtrail_row', 'bench_bare_row']
  .map((t) => `DROP TRIGGER IF EXISTS ${t} ON ${TABLE};`).join('\n');

function statementTriggers(fn: string): string {
  return `${DROP_TRIGGERS}
CREATE TRIGGER pgtrail_insert AFTER INSERT ON ${TABLE} REFERENCING NEW TABLE AS pgtrail_new FOR EACH STATEMENT EXECUTE FUNCTION audit.${fn}();
CREATE TRIGGER pgtrail_update AFTER UPDATE ON ${TABLE} REFERENCING OLD TABLE AS pgtrail_old NEW TABLE AS pgtrail_new FOR EACH STATEMENT EXECUTE FUNCTION audit.${fn}();
CREATE TRIGGER pgtrail_delete AFTER DELETE ON ${TABLE} REFERENCING OLD TABLE AS pgtrail_old FOR EACH STATEMENT EXECUTE FUNCTION audit.${fn}();`;
}
function rowTriggers(fn: string): string {
  return `${DROP_TRIGGERS}
CREATE TRIGGER pgtrail_row AFTER INSERT OR UPDATE OR DELETE ON ${TABLE} FOR EACH ROW EXECUTE FUNCTION audit.${fn}();`;
}

/** v1 with old_data reduced to the changed columns: `to_jsonb(old) - <unchanged names>`, both lists computed once, behind the fence. */
function stmtChanged(): string {
  const fn = 'bench_stmt_changed';
  return `${HEADER(fn)}
DECLARE
  v_ctx audit.context := audit.current_context();
  v_at  timestamptz := statement_timestamp();
  v_tx  bigint := txid_current();
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO audit.events (${EVENT_COLS}, new_data, metadata)
    SELECT v_at, v_tx, 'insert', '${TABLE}', n."id"::text, ${CTX}, ${data('n')}, ${meta(['n'])}
      FROM pgtrail_new AS n;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO audit.events (${EVENT_COLS}, old_data, new_data, changed_fields, metadata)
    SELECT v_at, v_tx, 'update', '${TABLE}', (d.new_row)."id"::text, ${CTX},
           ${data('(d.old_row)')} - d.unchanged, ${data('(d.new_row)')}, d.changed, ${updMeta('(d.old_row)', '(d.new_row)')}
      FROM (SELECT o.r AS old_row, n.r AS new_row,
                   ${names('(o.r)', '(n.r)')} AS changed,
                   ${names('(o.r)', '(n.r)', true)} AS unchanged
              FROM (SELECT pg_catalog.row_number() OVER () AS rn, t AS r FROM pgtrail_old AS t) AS o
              JOIN (SELECT pg_catalog.row_number() OVER () AS rn, t AS r FROM pgtrail_new AS t) AS n
                ON n.rn = o.rn
            OFFSET 0) AS d
     WHERE d.changed <> '{}'::text[];
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO audit.events (${EVENT_COLS}, old_data, metadata)
    SELECT v_at, v_tx, 'delete', '${TABLE}', o."id"::text, ${CTX}, ${data('o')}, ${meta(['o'])}
      FROM pgtrail_old AS o;
  END IF;
  RETURN NULL;
END
${FOOTER(fn)}
${statementTriggers(fn)}`;
}

/** Row-level: one INSERT … VALUES per changed row; the context is read per row (a row trigger has no per-statement state). */
function rowLevel(changedOnly: boolean): string {
  const fn = changedOnly ? 'bench_row_changed' : 'bench_row_full';
  const oldData = changedOnly ? `${data('OLD')} - ${names('OLD', 'NEW', true)}` : data('OLD');
  return `${HEADER(fn)}
DECLARE
  v_ctx audit.context := audit.current_context();
  v_changed text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO audit.events (${EVENT_COLS}, new_data, metadata)
    VALUES (statement_timestamp(), txid_current(), 'insert', '${TABLE}', NEW."id"::text, ${CTX}, ${data('NEW')}, ${meta(['NEW'])});
  ELSIF TG_OP = 'UPDATE' THEN
    v_changed := ${names('OLD', 'NEW')};
    IF v_changed <> '{}'::text[] THEN
      INSERT INTO audit.events (${EVENT_COLS}, old_data, new_data, changed_fields, metadata)
      VALUES (statement_timestamp(), txid_current(), 'update', '${TABLE}', NEW."id"::text, ${CTX},
              ${oldData}, ${data('NEW')}, v_changed, ${updMeta('OLD', 'NEW')});
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO audit.events (${EVENT_COLS}, old_data, metadata)
    VALUES (statement_timestamp(), txid_current(), 'delete', '${TABLE}', OLD."id"::text, ${CTX}, ${data('OLD')}, ${meta(['OLD'])});
  END IF;
  RETURN NULL;
END
${FOOTER(fn)}
${rowTriggers(fn)}`;
}

function noop(kind: 'stmt' | 'row'): string {
  const fn = `bench_noop_${kind}`;
  return `CREATE OR REPLACE FUNCTION audit.${fn}() RETURNS trigger LANGUAGE plpgsql AS $bench$ BEGIN RETURN NULL; END $bench$;
${kind === 'stmt' ? statementTriggers(fn) : rowTriggers(fn)}`;
}

/** Where `bare-row` writes: no indexes, no context, nothing but the action and the two rows. */
export const BARE_LOG = 'public.bench_bare_log';

/** The bare row trigger function and its log table (idempotent); attach it with bareRowTriggers. */
export const BARE_ROW_FUNCTION = `CREATE TABLE IF NOT EXISTS ${BARE_LOG} (action text, old_data jsonb, new_data jsonb);
CREATE OR REPLACE FUNCTION public.bench_bare_row() RETURNS trigger LANGUAGE plpgsql AS $bench$
BEGIN
  INSERT INTO ${BARE_LOG} (action, old_data, new_data)
  VALUES (TG_OP, CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END, CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END);
  RETURN NULL;
END
$bench$;`;

/** Installs (or, with `on` false, removes) the bare row trigger on each table. */
export function bareRowTriggers(tables: string[], on: boolean): string {
  return [BARE_ROW_FUNCTION, ...tables.map((t) => `DROP TRIGGER IF EXISTS bench_bare_row ON ${t};` +
    (on ? `\nCREATE TRIGGER bench_bare_row AFTER INSERT OR UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION public.bench_bare_row();` : ''))].join('\n');
}

export function variantSql(name: VariantName): string {
  switch (name) {
    case 'stmt-changed': return stmtChanged();
    case 'row-full': return rowLevel(false);
    case 'row-changed': return rowLevel(true);
    case 'noop-stmt': return noop('stmt');
    case 'noop-row': return noop('row');
    case 'bare-row': return `${DROP_TRIGGERS}\n${bareRowTriggers([TABLE], true)}`;
  }
}

/** Removes whatever variant trigger is installed (v1 is removed with disableAudit). */
export const DROP_VARIANT_TRIGGERS = DROP_TRIGGERS;

export const INSERT_ROWS = (rows: number) => `
INSERT INTO public.bench_wide (name, qty, price, created_at, active, attrs, ref, score, note)
SELECT 'customer ' || g, g % 1000, (g % 100000) / 100.0 + 0.99, timestamptz '2024-01-01 00:00:00Z' + g * interval '1 second',
       g % 2 = 0, pg_catalog.jsonb_build_object('tier', g % 5, 'tags', pg_catalog.jsonb_build_array('a', 'b')),
       md5(g::text)::uuid, g / 7.0, 'note ' || md5(g::text)
  FROM generate_series(1, ${rows}) AS g`;
/** Changes 3 of the 10 columns of every row. */
export const UPDATE_ROWS = `UPDATE public.bench_wide SET qty = qty + 1, price = price + 1, active = NOT active`;
export const DELETE_ROWS = `DELETE FROM public.bench_wide`;

/** pgbench script for (b): one single-row INSERT per transaction, same value shapes as INSERT_ROWS. */
export const PGBENCH_INSERT = `\\set g random(1, 10000000)
INSERT INTO public.bench_wide (name, qty, price, created_at, active, attrs, ref, score, note) VALUES ('customer ' || :g, :g % 1000, (:g % 100000) / 100.0 + 0.99, now(), :g % 2 = 0, jsonb_build_object('tier', :g % 5, 'tags', jsonb_build_array('a', 'b')), md5(cast(:g as text))::uuid, :g / 7.0, 'note ' || md5(cast(:g as text)));
`;
/** pgbench script for the variants' single-row UPDATE check (table pre-filled with PREFILL rows). */
export const PREFILL = 100_000;
export const PGBENCH_UPDATE = `\\set id random(1, ${PREFILL})
UPDATE public.bench_wide SET qty = qty + 1, price = price + 1, active = NOT active WHERE id = :id;
`;
