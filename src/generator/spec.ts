// What the renderer needs to know about one audited table. Built from the catalog by
// introspect.ts; consumed by the pure renderer in render.ts.
import { parseVerbRule } from './verbs.ts';

export const ACTIONS = ['insert', 'update', 'delete', 'truncate'] as const;
export type Action = (typeof ACTIONS)[number];

/** The actions that change one row (a truncate records no rows): what as-of replays and revert undoes. */
export const ROW_CHANGES = ['insert', 'update', 'delete'] as const;
export const isRowChange = (action: string): boolean => (ROW_CHANGES as readonly string[]).includes(action);

/** What a DBA chooses when enabling auditing on a table (stored in audit.audited_tables.options). */
export interface AuditOptions {
  /** Columns that never appear in an event (not in old/new data, not in changed_fields). */
  exclude: string[];
  /** Columns recorded as a fixed mask; a change to them is still listed in changed_fields. */
  redact: string[];
  /** Columns whose change alone does not make an event (they still appear in the data). */
  ignore: string[];
  /** Row changes to record. */
  actions: Action[];
  /** Record updates that change nothing (or only ignored columns). Off by default. */
  logUnchanged: boolean;
  /** Key columns for target_id when the table has no primary key. */
  key: string[];
  /** Values larger than this many stored bytes are replaced by size + md5. 0 turns the cap off. */
  maxValueBytes: number;
  /**
   * Triggers fire also where session_replication_role = replica (ENABLE ALWAYS): a logical
   * replication subscriber then records the changes it applies, and so does pg_restore
   * --disable-triggers. Off by default: on a subscriber the publisher usually has the events.
   */
  onReplica: boolean;
  /**
   * How a row is named in the event list: an SQL expression over the row's own columns
   * (`'Broadcast: ' || subject`), evaluated when the change is recorded (label.ts says what is allowed).
   */
  label: string | null;
  /** The type's display name (`Broadcast`), shown instead of the schema-qualified table. */
  typeName: string | null;
  /**
   * The application's entity type this table stands for (`campaign`): audit.log_event events about
   * (entity, id) and the row changes of row id are one record history.
   */
  entity: string | null;
  /** Verb rules for updates, in order; the first that matches names the update (verbs.ts). */
  verbs: VerbRule[];
}

/**
 * Names an update by the change it makes: `becomes` — the column takes the value (it had another);
 * `leaves` — the column had the value and now has another; `changes` — any change of the column.
 * Values are compared with the column's text form; null is SQL NULL.
 */
export interface VerbRule {
  verb: string;
  column: string;
  change: 'becomes' | 'leaves' | 'changes';
  value: string | null;
}

export const defaultOptions: AuditOptions = {
  exclude: [],
  redact: [],
  ignore: [],
  actions: [...ACTIONS],
  logUnchanged: false,
  key: [],
  maxValueBytes: 1_048_576,
  onReplica: false,
  label: null,
  typeName: null,
  entity: null,
  verbs: [],
};

export interface ColumnSpec {
  name: string;
  /** Compare with the type's own `=`; false compares text forms (json, geometric, composite …). */
  typedEquality: boolean;
  /** bytea is hashed as is; other types through their text form. */
  bytea: boolean;
}

export interface TableSpec {
  schema: string;
  table: string;
  columns: ColumnSpec[];
  /** Primary key columns, or the `key` option, or empty (target_id is then NULL). */
  keyColumns: string[];
  /**
   * Every partition below a partitioned table (leaves and sub-parents), sorted. Statement triggers
   * fire only on the table a statement names, so `DELETE FROM orders_eu` would skip triggers that
   * live only on `orders`; each partition gets the same triggers, recording under the root's name.
   */
  partitions: Array<{ schema: string; table: string }>;
  /**
   * The server can tell a TOASTed value that an UPDATE left alone by its pointer
   * (pg_column_toast_chunk_id, PostgreSQL 17+), and old and new rows share one TOAST table (the
   * table is not partitioned), so an unchanged oversized value is never read or hashed.
   */
  toastIdentity: boolean;
  /** The session settings pinned on the capture function for canonical row images (canonical.ts). */
  settings: string[];
  options: AuditOptions;
}

/** What callers pass: any subset of the options; verb rules also as text (`send:status=sent`, verbs.ts). */
export type AuditOptionsInput = Omit<Partial<AuditOptions>, 'verbs'> & { verbs?: Array<VerbRule | string> };

/** Normalises options so that equal choices give equal specs (and equal hashes). */
export function normalizeOptions(partial: AuditOptionsInput): AuditOptions {
  const sorted = (xs: string[] | undefined) => [...new Set(xs ?? [])].sort();
  const options: AuditOptions = {
    exclude: sorted(partial.exclude),
    redact: sorted(partial.redact),
    ignore: sorted(partial.ignore),
    actions: ACTIONS.filter((a) => (partial.actions ?? ACTIONS).includes(a)),
    logUnchanged: partial.logUnchanged ?? defaultOptions.logUnchanged,
    key: [...(partial.key ?? [])],
    maxValueBytes: partial.maxValueBytes ?? defaultOptions.maxValueBytes,
    onReplica: partial.onReplica ?? defaultOptions.onReplica,
    label: partial.label ?? null,
    typeName: partial.typeName ?? null,
    entity: partial.entity ?? null,
    // Order matters (the first matching rule wins); each rule in a fixed key order for the hash.
    verbs: (partial.verbs ?? []).map((rule) => {
      const r = typeof rule === 'string' ? parseVerbRule(rule) : rule;
      return { verb: r.verb, column: r.column, change: r.change, value: r.value ?? null };
    }),
  };
  return options;
}
