// Read cost of free text inside the row images (`in_data=1`) against free text alone (not a test):
// 150,000 labelled rows inserted and updated (300,000 events), then the capped count of each query
// five times, medians. `in_data` is read-time only, so it has no write cost to measure.
//   npx tsx bench/in-data-search.ts        (under flock /tmp/bench.lock) → bench/results/in-data-search.json
import { enableAudit } from '../src/audit/enable.ts';
import { INSERT_ROWS, TABLE_DDL, UPDATE_ROWS } from './lib/variants.ts';
import { withBenchDatabase } from './lib/bench-database.ts';
import { median } from './lib/util.ts';
import { countEvents } from '../src/query/list.ts';
import { parseFilter } from '../src/query/filter.ts';
import pg from 'pg';
import { writeFileSync } from 'node:fs';

await withBenchDatabase('bench', async ({ url, client: c }) => {
  await c.query(TABLE_DDL);
  await enableAudit(c, { schema: 'public', table: 'bench_wide' }, { label: `'Customer: ' || name` });
  await c.query(INSERT_ROWS(150_000));
  await c.query(UPDATE_ROWS);
  await c.query('VACUUM ANALYZE audit.events');
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const results: Array<{ query: string; count: number; median_ms: number; runs_ms: number[] }> = [];
  for (const query of ['q=zzz-none', 'q=zzz-none&in_data=1', 'q=customer 149999', 'q=customer 149999&in_data=1', 'q=5e2f&in_data=1']) {
    const f = parseFilter(new URLSearchParams(query));
    const times: number[] = [];
    let n = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint();
      n = (await countEvents(pool, f)).count;
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    results.push({ query, count: n, median_ms: Math.round(median(times)), runs_ms: times.map(Math.round) });
    console.log(query, 'count', n, 'median ms', Math.round(median(times)));
  }
  await pool.end();
  writeFileSync(new URL('./results/in-data-search.json', import.meta.url), `${JSON.stringify({ command: 'npx tsx bench/in-data-search.ts', when: new Date().toISOString(), events: 300_000, results }, null, 2)}\n`);
});
