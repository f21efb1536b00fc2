// The generator writes synthetic tx_id values (TX_BASE + 0.3 i: 5,000,000 and up), far above the
// transaction counter of a freshly generated cluster. Anything that decides "committed" by
// comparing tx_id with a snapshot (seals, the activity rollup: sql/functions/activity_rollup.sql,
// run by src/maintenance/run.ts) would
// take every generated event for one still in flight. This burns transaction ids until the
// counter has passed them, as years of real traffic would have: one empty committed transaction
// each, asynchronously committed (nothing to flush), ~100k per second on one core.
import type pg from 'pg';

export async function advanceXidsPast(c: pg.ClientBase, target: bigint, progress?: (at: bigint) => void): Promise<bigint> {
  await c.query('SET synchronous_commit = off');
  for (;;) {
    const at = BigInt((await c.query('SELECT txid_current() AS x')).rows[0].x);
    if (at > target) return at;
    const n = Number(target - at + 1n > 500_000n ? 500_000n : target - at + 1n);
    // A DO block may COMMIT between iterations (PostgreSQL 11+): each iteration is its own transaction.
    await c.query(`DO $$ BEGIN FOR i IN 1..${n} LOOP PERFORM txid_current(); COMMIT; END LOOP; END $$`);
    progress?.(at + BigInt(n));
  }
}
