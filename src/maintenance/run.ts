// Running audit.maintain() from TypeScript (CLI `pgtrail maintain`, the fallback timer).
import type { Queryable } from '../generator/introspect.ts';

export type MaintenanceAction = 'created' | 'moved' | 'dropped';

/** One row of audit.maintain()'s report. */
export interface MaintenanceStep {
  action: MaintenanceAction;
  /** Partition name in schema audit, e.g. `events_p20240101`. */
  partition: string;
  rangeFrom: Date;
  rangeTo: Date;
  /** Rows moved into or dropped with the partition; null for `created`. */
  rows: number | null;
}

/** Runs maintenance once (waiting for a run already in progress) and returns what it did. */
export async function runMaintenance(db: Queryable, now?: Date): Promise<MaintenanceStep[]> {
  const { rows } = now
    ? await db.query('SELECT * FROM audit.maintain($1)', [now])
    : await db.query('SELECT * FROM audit.maintain()');
  return rows.map((r) => ({
    action: r.action,
    partition: r.partition,
    rangeFrom: r.range_from,
    rangeTo: r.range_to,
    rows: r.rows === null ? null : Number(r.rows),
  }));
}
