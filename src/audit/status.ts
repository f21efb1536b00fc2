// status: every audited table with its options and whether its installed trigger is current.
import type { Queryable } from '../db/queryable.ts';
import { introspect } from '../generator/introspect.ts';
import { parseTriggerComment, renderAudit, TEMPLATE_VERSION } from '../generator/render.ts';
import { triggerName } from '../generator/names.ts';
import { ACTIONS, normalizeOptions, type AuditOptions } from '../generator/spec.ts';
import { UserError } from '../db/errors.ts';
import { displayName, qualify } from '../db/sql.ts';
import { requireInstalled } from './installed.ts';

/**
 * current: installed as pgtrail would render it now, and firing. disabled: a capture trigger is
 * installed but does not fire in ordinary sessions (ALTER TABLE … DISABLE TRIGGER, or ENABLE
 * REPLICA), so changes are not being recorded. outdated: needs `enable` again. missing: a trigger
 * was dropped.
 */
export type TableState = 'current' | 'disabled' | 'outdated' | 'missing';

export interface TableStatus {
  table: string;
  state: TableState;
  /** Why the state is not `current`, in words a DBA can act on. */
  reason: string | null;
  options: AuditOptions;
  /** What target_id is made of; empty when the table has no key (target_id is then NULL). */
  key_columns: string[];
  template_version: number;
  enabled_at: string;
  /** Events in the last 24 hours, and how many of them had no application context (actor_type db_role). */
  events_24h: number;
  events_24h_without_context: number;
}

const registryQuery = `
SELECT schema_name, table_name, options, key_columns, template_version, sql_hash, enabled_at
  FROM audit.audited_tables ORDER BY schema_name, table_name`;

const triggersQuery = `
SELECT t.tgname, obj_description(t.oid, 'pg_trigger') AS comment
  FROM pg_catalog.pg_trigger AS t
  JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = $2 AND NOT t.tgisinternal`;

// How each capture trigger fires, on the table and on every partition below it: pg_trigger.tgenabled
// is O (ordinary sessions), A (always), R (only where session_replication_role = replica), D (never).
// pg_partition_tree returns nothing for a table that is not partitioned, hence the first test.
const firingQuery = `
SELECT c.oid::regclass::text AS on_table, t.tgname, t.tgenabled::text AS enabled
  FROM pg_catalog.pg_trigger AS t
  JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
 WHERE NOT t.tgisinternal AND t.tgname = ANY ($2::text[])
   AND (c.oid = $1::regclass OR c.oid IN (SELECT relid FROM pg_catalog.pg_partition_tree($1::regclass)))
 ORDER BY 1, 2`;

// One pass over the last day's partitions (pruned by the time bound), grouped per table.
const recentQuery = `
SELECT target_type, count(*)::bigint AS total, count(*) FILTER (WHERE actor_type = 'db_role')::bigint AS without_context
  FROM audit.events
 WHERE occurred_at > now() - interval '24 hours' AND action = ANY($1::text[])
 GROUP BY target_type`;

export async function auditStatus(db: Queryable): Promise<TableStatus[]> {
  await requireInstalled(db);
  const registry = (await db.query(registryQuery)).rows;
  const recent = new Map((await db.query(recentQuery, [ACTIONS])).rows.map((r) => [r.target_type, r]));
  const result: TableStatus[] = [];
  for (const row of registry) {
    const name = { schema: row.schema_name, table: row.table_name };
    const table = displayName(name);
    const { state, reason } = await judge(db, name, row);
    const counts = recent.get(table);
    result.push({
      table,
      state,
      reason,
      options: normalizeOptions(row.options),
      key_columns: row.key_columns,
      template_version: row.template_version,
      enabled_at: new Date(row.enabled_at).toISOString(),
      events_24h: Number(counts?.total ?? 0),
      events_24h_without_context: Number(counts?.without_context ?? 0),
    });
  }
  return result;
}

async function judge(db: Queryable, name: { schema: string; table: string }, row: any): Promise<{ state: TableState; reason: string | null }> {
  const installed = new Map((await db.query(triggersQuery, [name.schema, name.table])).rows.map((t) => [t.tgname, t.comment]));
  const options: AuditOptions = normalizeOptions(row.options);
  const absent = options.actions.filter((a) => !installed.has(triggerName(a)));
  if (absent.length > 0) {
    return { state: 'missing', reason: `trigger${absent.length > 1 ? 's' : ''} for ${absent.join(', ')} not found (dropped by hand?); run \`pgtrail enable\` again` };
  }
  const names = options.actions.map((a) => triggerName(a));
  const firing = (await db.query(firingQuery, [qualify(name), names])).rows;
  const off = firing.filter((t) => t.enabled === 'D' || t.enabled === 'R');
  if (off.length > 0) {
    const t = off[0];
    const how = t.enabled === 'D' ? 'is disabled' : 'fires only where session_replication_role = replica';
    return {
      state: 'disabled',
      reason: `trigger ${t.tgname} on ${t.on_table} ${how}${off.length > 1 ? ` (and ${off.length - 1} more)` : ''}: changes are not being recorded; run \`pgtrail enable\` again`,
    };
  }
  const expected = options.onReplica ? 'A' : 'O';
  const unlike = firing.find((t) => t.enabled !== expected);
  if (unlike) {
    return {
      state: 'outdated',
      reason: `trigger ${unlike.tgname} on ${unlike.on_table} was set to ${unlike.enabled === 'A' ? 'ENABLE ALWAYS' : 'ENABLE'} by hand, unlike its options${options.onReplica ? ' (--on-replica)' : ''}; run \`pgtrail enable\` again`,
    };
  }
  if (row.template_version !== TEMPLATE_VERSION) {
    return { state: 'outdated', reason: `installed from template v${row.template_version}, current is v${TEMPLATE_VERSION}; run \`pgtrail enable\` again` };
  }
  for (const action of options.actions) {
    const parsed = parseTriggerComment(installed.get(triggerName(action)));
    if (!parsed || parsed.hash !== row.sql_hash) {
      return { state: 'outdated', reason: `trigger ${triggerName(action)} was changed outside pgtrail; run \`pgtrail enable\` again` };
    }
  }
  let rendered: string;
  try {
    rendered = renderAudit(await introspect(db, name, options)).hash;
  } catch (error) {
    if (error instanceof UserError) return { state: 'outdated', reason: `${error.message}; fix the options or disable auditing` };
    throw error;
  }
  if (rendered !== row.sql_hash) {
    return { state: 'outdated', reason: 'the table changed since auditing was enabled (columns, types or key); run `pgtrail enable` again' };
  }
  return { state: 'current', reason: null };
}
