// Study (not a test, not shipped): how much of v1's cost per audited TPC-B transaction could any
// rework of the template remove? Each side takes one piece away from v1 (by editing its rendered
// SQL, for this measurement only) or is a bare reference; all sides run alternately in one server,
// pgbench TPC-B-like -s 10 -c 4 -j 2, pgbench_accounts/tellers/branches audited:
//   v1         the shipped template
//   noset      v1 without `SET search_path` on the SECURITY DEFINER function (README, "Append-only and its limits", requires it)
//   nocap      v1 without the oversized-value checks (maxValueBytes 0)
//   noctx      v1 with a constant context instead of audit.current_context()
//   direct     v1 inserting straight into the current partition (no tuple routing)
//   noidx      v1 with every index of audit.events dropped
//   floor      noset + nocap + direct + noidx together: the most a template change could win
//   rowfull    row-level trigger, one INSERT … VALUES (old, new, context) per row into audit.events
//   stmtbare   statement-level trigger inserting to_jsonb(new rows) into a table without indexes
//   rowbare    the reference run's bare row trigger: to_jsonb(OLD)/to_jsonb(NEW) into a table without indexes
//
//   flock /tmp/bench.lock npx tsx bench/write-floor.ts            # ~8 min; bench/results/write-floor.json
//   SIDES=none,v1,floor ROUNDS=2 DURATION=10 npx tsx bench/write-floor.ts
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbedded } from '../src/embedded/server.ts';
import { migrate } from '../src/install/migrate.ts';
import { disableAudit } from '../src/audit/enable.ts';
import { introspect } from '../src/generator/introspect.ts';
import { renderAudit } from '../src/generator/render.ts';
import { connect, median, parsePgbench, runPgbench, urlFor } from './lib/util.ts';

const here = dirname(fileURLToPath(import.meta.url));
const TABLES = ['pgbench_accounts', 'pgbench_tellers', 'pgbench_branches'];
const DURATION = Number(process.env.DURATION ?? 15);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SIDES = (process.env.SIDES ?? 'none,v1,noset,nocap,noctx,direct,noidx,floor,rowfull,stmtbare,rowbare').split(',');
const OUT = process.env.OUT ?? join(here, 'results', 'write-floor.json');

const EVENT_COLS = 'occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, user_agent, request_id, db_user, app_name';
const CTX = 'v_ctx.actor_type, v_ctx.actor_id, v_ctx.actor_name, v_ctx.ip, v_ctx.user_agent, v_ctx.request_id, v_ctx.db_user, v_ctx.app_name';
const DECLARE = 'DECLARE v_ctx audit.context := audit.current_context(); v_at timestamptz := statement_timestamp(); v_tx bigint := txid_current();';
/** Hand-written trigger bodies (UPDATE only: TPC-B's audited statements are updates). */
const CUSTOM: Record<string, { body: string; row: boolean }> = {
  rowfull: { row: true, body: `${DECLARE} BEGIN INSERT INTO audit.events (${EVENT_COLS}, old_data, new_data) VALUES (v_at, v_tx, 'update', TG_TABLE_NAME, NULL, ${CTX}, to_jsonb(OLD), to_jsonb(NEW)); RETURN NULL; END` },
  stmtbare: { row: false, body: 'BEGIN INSERT INTO public.bare_log (old_data, new_data) SELECT NULL, to_jsonb(n) FROM pgtrail_new AS n; RETURN NULL; END' },
  rowbare: { row: true, body: 'BEGIN INSERT INTO public.bare_log (old_data, new_data) VALUES (to_jsonb(OLD), to_jsonb(NEW)); RETURN NULL; END' },
};
const SET_PATH = 'SET search_path = pg_catalog, pg_temp ';

const server = await startEmbedded();
const url = urlFor(server.url, 'postgres');
const c = await connect(url);
try {
  await migrate(c);
  await runPgbench(url, ['-i', '-s', '10', '-q']);
  await c.query('CREATE TABLE public.bare_log (old_data jsonb, new_data jsonb)');
  const indexes: string[] = (await c.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'audit' AND tablename = 'events'`)).rows.map((r) => r.indexdef);
  const partition: string = (await c.query(`SELECT format('audit.%I', partition) AS p FROM audit.partitions() WHERE NOT is_default AND range_from <= now() AND range_to > now()`)).rows[0].p;

  async function setSide(side: string): Promise<void> {
    for (const t of TABLES) {
      if ((await c.query('SELECT 1 FROM audit.audited_tables WHERE table_name = $1', [t])).rows.length) await disableAudit(c, { schema: 'public', table: t });
      await c.query(`DROP TRIGGER IF EXISTS floor_study ON ${t}`);
    }
    for (const def of indexes) await c.query(def.replace('CREATE INDEX', 'CREATE INDEX IF NOT EXISTS'));
    await c.query('TRUNCATE public.bare_log');
    if (side === 'none') return;
    const custom = CUSTOM[side];
    if (custom) {
      await c.query(`CREATE OR REPLACE FUNCTION audit.floor_study() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER ${SET_PATH}AS $f$ ${custom.body} $f$`);
      for (const t of TABLES) {
        await c.query(`CREATE TRIGGER floor_study AFTER UPDATE ON ${t} ${custom.row ? 'FOR EACH ROW' : 'REFERENCING NEW TABLE AS pgtrail_new FOR EACH STATEMENT'} EXECUTE FUNCTION audit.floor_study()`);
      }
      return;
    }
    const has = (piece: string) => side === piece || side === 'floor';
    for (const t of TABLES) {
      const spec = await introspect(c, { schema: 'public', table: t }, has('nocap') ? { maxValueBytes: 0 } : {});
      let sql = renderAudit(spec).enableSql;
      if (has('noset')) sql = sql.replace(SET_PATH, '');
      if (has('direct')) sql = sql.replaceAll('INSERT INTO audit.events ', `INSERT INTO ${partition} `);
      if (side === 'noctx') sql = sql.replace('audit.current_context()', `ROW('db_role', 'postgres', 'postgres', NULL, NULL, NULL, 'postgres', 'pgbench', NULL)::audit.context`);
      await c.query(sql);
    }
    if (has('noidx')) for (const def of indexes) await c.query(`DROP INDEX audit.${def.match(/INDEX (\S+) ON/)![1]}`);
  }

  const tps: Record<string, number[]> = Object.fromEntries(SIDES.map((s) => [s, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 ? [...SIDES].reverse() : SIDES) {
      await setSide(side);
      await c.query('VACUUM ANALYZE pgbench_accounts');
      await c.query('CHECKPOINT');
      const r = parsePgbench((await runPgbench(url, ['-c', '4', '-j', '2', '-T', String(DURATION)])).stdout);
      tps[side].push(r.tps);
      console.log(`round ${round + 1} ${side.padEnd(9)} ${r.tps.toFixed(0)} tps`);
    }
  }
  const base = median(tps.none);
  // Two cores busy: CPU time per transaction ≈ 2 / tps.
  const rows = SIDES.map((s) => ({ side: s, tps: median(tps[s]), ratio: median(tps[s]) / base, overheadMsPerTx: 2000 / median(tps[s]) - 2000 / base }));
  for (const r of rows) console.log(`${r.side.padEnd(9)} ${r.tps.toFixed(0).padStart(6)} tps  ratio ${r.ratio.toFixed(3)}  +${r.overheadMsPerTx.toFixed(3)} ms CPU per transaction`);
  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(OUT, JSON.stringify({ command: 'npx tsx bench/write-floor.ts', duration: DURATION, rounds: ROUNDS, runs: tps, result: rows }, null, 2) + '\n');
  console.log(`JSON: ${OUT}`);
} finally {
  await c.end();
  await server.stop();
}
