// Write cost of a labelled table with verb rules vs an unlabelled one (not a test), with
// write-overhead.ts's table and statements (bench/lib/variants.ts). One embedded PostgreSQL 17,
// sides alternated per repetition, medians. Under `flock /tmp/bench.lock`:
//   npx tsx bench/labels-overhead.ts            # ROWS=100000 REPS=3 DUR=10 (pgbench seconds) in the environment
// Result: bench/results/labels-overhead.json.
//   (b) single-row INSERTs, pgbench -c 4 -j 2 -T D   (c) one statement inserting / updating / deleting N rows
//   (f) the fallback: a label that raises on 10% of the rows of the bulk statements
import { startEmbedded } from '../src/embedded/server.ts';
import { migrate } from '../src/install/migrate.ts';
import { enableAudit, disableAudit } from '../src/audit/enable.ts';
import { parseVerbRule } from '../src/generator/verbs.ts';
import { DELETE_ROWS, INSERT_ROWS, TABLE_DDL, UPDATE_ROWS } from './lib/variants.ts';
import { connect, median, parsePgbench, runPgbench, timed, urlFor } from './lib/util.ts';
import { writeFileSync } from 'node:fs';

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

const server = await startEmbedded();
try {
  const admin = await connect(server.url);
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const url = urlFor(server.url, 'bench');
  const c = await connect(url);
  c.on('error', () => {});
  await migrate(c);
  await c.query(TABLE_DDL);
  const results: Record<string, Record<string, number[]>> = {};
  const use = async (side: string) => {
    await disableAudit(c, table).catch(() => {});
    await enableAudit(c, table, SIDES[side], true);
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
        const run = await runPgbench(url, ['-n', '-c', '4', '-j', '2', '-T', String(DUR), '-f', '/tmp/a/bench/insert.sql']);
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
  await c.end();
} catch (error) {
  console.error('FAILED', error);
} finally {
  await server.stop();
}
