// The fallback where pg_cron is absent (the embedded default): the long-running pgtrail process
// (the console) runs audit.maintain() on a timer. Every round takes a connection, TRIES the session
// advisory lock that maintenance uses, and skips the round when another process (another console,
// `pgtrail maintain`, the pg_cron job) holds it, so two processes never run it at once and none
// queues up behind another. Rounds never overlap within a process: the next one is scheduled only
// after the previous one finished. A connection that dies releases its session lock by itself.
import type pg from 'pg';
import { MAINTENANCE_LOCK } from './lock.ts';
import { runMaintenance, type MaintenanceOptions, type MaintenanceStep } from './run.ts';

export interface MaintenanceTimerOptions {
  /** Called after each round that ran (steps may be empty). */
  onRun?: (steps: MaintenanceStep[]) => void;
  /** Called when a round was skipped because someone else held the lock. */
  onSkip?: () => void;
  /** Called when a round failed; the timer keeps going. Default: print one line to stderr. */
  onError?: (error: unknown) => void;
  /** Delay before the first round, in ms (default 0: run at start, then every intervalMs). */
  firstDelayMs?: number;
  /** Seal after each round with this key (the console's PGTRAIL_SEAL_KEY), see run.ts. */
  maintenance?: MaintenanceOptions;
}

/** One round: what maintenance did, or null when another session held the lock and it was skipped. */
async function maintainIfFree(pool: pg.Pool, options: MaintenanceOptions = {}): Promise<MaintenanceStep[] | null> {
  const client = await pool.connect();
  let locked = false;
  try {
    const { rows } = await client.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [MAINTENANCE_LOCK.classId, MAINTENANCE_LOCK.objId]);
    locked = rows[0].ok === true;
    if (!locked) return null;
    return await runMaintenance(client, undefined, options);
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1, $2)', [MAINTENANCE_LOCK.classId, MAINTENANCE_LOCK.objId]).catch(() => {});
    client.release();
  }
}

/** Starts the timer; the returned function stops it and resolves once a running round finished. */
export function startMaintenanceTimer(pool: pg.Pool, intervalMs: number, options: MaintenanceTimerOptions = {}): () => Promise<void> {
  if (!Number.isFinite(intervalMs) || intervalMs < 1000) throw new RangeError(`maintenance interval must be at least 1000 ms (got ${intervalMs})`);
  const onError = options.onError ?? ((error) => process.stderr.write(`pgtrail: maintenance failed: ${(error as Error).message ?? error}\n`));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const round = async () => {
    try {
      const steps = await maintainIfFree(pool, options.maintenance);
      if (steps === null) options.onSkip?.();
      else options.onRun?.(steps);
    } catch (error) {
      onError(error);
    }
  };
  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round().then(() => schedule(intervalMs));
    }, delay);
    timer.unref(); // never the reason the process stays alive
  };
  schedule(options.firstDelayMs ?? 0);

  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}
