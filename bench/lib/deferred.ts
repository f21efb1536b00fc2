// pgtrail's deferred work, counted the way production pays for it (a write benchmark that left it
// out would flatter any design that moves work off the write path): whatever production runs
// beside the writers (today audit.maintain(), from the pg_cron job pgtrail-maintain or the
// console's fallback timer) runs concurrently on its schedule during the
// tps workloads, and once, timed, after the bulk workload. If capture moves work out of the audited
// transaction (a mover, a batch index build), it belongs in pgtrailDeferredWork.
import { connect } from './util.ts';

/** One round of the work production runs on a schedule; a new connection, as a pg_cron job has. */
export async function pgtrailDeferredWork(url: string): Promise<void> {
  const c = await connect(url);
  try {
    await c.query('SELECT * FROM audit.maintain()');
  } finally {
    await c.end();
  }
}

export interface DeferredStats {
  runs: number;
  totalMs: number;
  maxMs: number;
}

/**
 * Runs `work` every `intervalS` seconds (start to start; back to back when a round takes longer)
 * until the returned stop() is called; stop() waits for the round in progress and returns what ran.
 * A failing round fails the measurement: deferred work that breaks under load is a finding.
 */
export function everyInterval(work: () => Promise<void>, intervalS: number): { stop(): Promise<DeferredStats> } {
  const stats: DeferredStats = { runs: 0, totalMs: 0, maxMs: 0 };
  let stopping = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopping) {
      const t0 = performance.now();
      await work();
      const ms = performance.now() - t0;
      stats.runs++;
      stats.totalMs += ms;
      stats.maxMs = Math.max(stats.maxMs, ms);
      const wait = intervalS * 1000 - ms;
      if (wait > 0 && !stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          wake = () => { clearTimeout(timer); resolve(); };
        });
      }
    }
  })();
  loop.catch(() => {}); // reported by stop(), not as an unhandled rejection mid-run
  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      return stats;
    },
  };
}
