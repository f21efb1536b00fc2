// Running audit.maintain() from TypeScript (CLI `pgtrail maintain`, the fallback timer), and then
// sealing when this process holds a seal key. The pg_cron job runs audit.maintain() alone: the key
// never enters the database, so SQL cannot sign; a cron'd `pgtrail seal` or the console's timer does.
import type pg from 'pg';
import type { Queryable } from '../db/queryable.ts';
import type { SealKey } from '../integrity/keys.ts';
import { sealNow, type SealOutcome } from '../integrity/seal.ts';

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

export interface MaintenanceOptions {
  /** Seal after maintenance with this key (none: no seal; callers warn). */
  sealKey?: SealKey | null;
  onSeal?: (outcome: SealOutcome) => void;
}

/** Runs maintenance once (waiting for a run already in progress) and returns what it did. */
export async function runMaintenance(db: Queryable | pg.Pool, now?: Date, options: MaintenanceOptions = {}): Promise<MaintenanceStep[]> {
  const steps = await maintainOnce(db, now);
  if (options.sealKey) {
    // Sealing needs one connection for its transaction and cursor.
    const pool = 'totalCount' in db ? (db as pg.Pool) : null;
    const client = pool ? await pool.connect() : (db as pg.ClientBase);
    try {
      const outcome = await sealNow(client, options.sealKey);
      options.onSeal?.(outcome);
    } finally {
      if (pool) (client as pg.PoolClient).release();
    }
  }
  return steps;
}

async function maintainOnce(db: Queryable, now?: Date): Promise<MaintenanceStep[]> {
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
