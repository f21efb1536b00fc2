// What the renderer needs to know about one audited table. Built from the catalog by
// introspect.ts; consumed by the pure renderer in render.ts.

export const ACTIONS = ['insert', 'update', 'delete', 'truncate'] as const;
export type Action = (typeof ACTIONS)[number];

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

/** Normalises options so that equal choices give equal specs (and equal hashes). */
export function normalizeOptions(partial: Partial<AuditOptions>): AuditOptions {
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
  };
  return options;
}
