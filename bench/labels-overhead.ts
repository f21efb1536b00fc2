// Write cost of a labelled table with verb rules vs an unlabelled one (not a test), with
// write-overhead.ts's table and statements (bench/lib/variants.ts). One embedded PostgreSQL 17,
// sides alternated per repetition, medians. Under `flock /tmp/bench.lock`:
//   npx tsx bench/labels-overhead.ts            # ROWS=100000 REPS=3 DUR=10 (pgbench seconds) in the environment
// Result: bench/results/labels-overhead.json.
//   (b) single-row INSERTs, pgbench -c 4 -j 2 -T D   (c) one statement inserting / updating / deleting N rows
//   (f) the fallback: a label that raises on 10% of the rows of the bulk statements
import { enableAudit, disableAudit } from '../src/audit/enable.ts';
import { parseVerbRule } from '../src/generator/verbs.ts';
import { DELETE_ROWS, INSERT_ROWS, PGBENCH_INSERT, TABLE_DDL, UPDATE_ROWS } from './lib/variants.ts';
import { withBenchDatabase } from './lib/bench-database.ts';
import { median, parsePgbench, runPgbench, timed } from './lib/util.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROWS = Number(process.env.ROWS ?? 100_000);
const REPS = Number(process.env.REPS ?? 3);
const DUR = Number(process.env.DUR ?? 10);
const table = { schema: 'public', table: 'bench_wide' };
const verbs = ['activate:active=true', 'deactivate:active=false', 'reprice:price'].map(parseVerbRule);
const SIDES: Record<string, object> = {
  plain: {},
  labelled: { label: `'Customer: ' || name || ' (' || qty::text || ')'`, typeName: 'Customer', entity: 'customer', verbs },
  failing: { label: `'Customer: ' || name || ' ' || (100 / (qty % 10))::text`, typeName: 'Customer', verbs },
};

await withBenchDatabase('bench', async ({ url, client: c }) => {
  await c.query(TABLE_DDL);
  const scriptDir = mkdtempSync(join(tmpdir(), 'pgtrail-bench-'));
  const insertScript = join(scriptDir, 'insert.sql');
  writeFileSync(insertScript, PGBENCH_INSERT);
  const results: Record<string, Record<string, number[]>> = {};
  let audited = false;
  const use = async (side: string) => {
    if (audited) await disableAudit(c, table);
    await enableAudit(c, table, SIDES[side], true);
    audited = true;
  };
  for (let r = 0; r < REPS; r++) {
    for (const side of r % 2 === 0 ? ['plain', 'labelled', 'failing'] : ['failing', 'labelled', 'plain']) {
      await use(side);
      const mark = (await c.query('SELECT coalesce(max(id), 0)::bigint AS m FROM audit.events')).rows[0].m;
      const res = (results[side] ??= { insert: [], update: [], delete: [], tps: [] });
      await c.query('CHECKPOINT');
      res.insert.push(await timed(c, INSERT_ROWS(ROWS)));
      res.update.push(await timed(c, UPDATE_ROWS));
      res.delete.push(await timed(c, DELETE_ROWS));
      if (side !== 'failing') {
        await c.query('VACUUM public.bench_wide');
        const run = await runPgbench(url, ['-n', '-c', '4', '-j', '2', '-T', String(DUR), '-f', insertScript]);
        res.tps.push(parsePgbench(run.stdout).tps);
        await c.query('TRUNCATE public.bench_wide');
      }
      const { rows } = await c.query(`SELECT count(*) FILTER (WHERE target_label IS NOT NULL)::int AS labelled, count(*) FILTER (WHERE verb IS NOT NULL)::int AS verbs,
                                              count(*) FILTER (WHERE metadata ? 'label_error')::int AS errors, count(*)::int AS n FROM audit.events WHERE target_type = 'public.bench_wide' AND id > $1`, [mark]);
      console.log(r, side, JSON.stringify(rows[0]));
      await c.query('TRUNCATE public.bench_wide');
    }
  }
  const out: Record<string, Record<string, number>> = {};
  for (const [side, res] of Object.entries(results)) out[side] = Object.fromEntries(Object.entries(res).filter(([, v]) => v.length).map(([k, v]) => [k, Math.round(median(v) * 10) / 10]));
  console.log(JSON.stringify(out, null, 1));
  writeFileSync(new URL('./results/labels-overhead.json', import.meta.url), JSON.stringify({ rows: ROWS, reps: REPS, duration: DUR, medians: out, all: results }, null, 1));
  rmSync(scriptDir, { recursive: true, force: true });
});
