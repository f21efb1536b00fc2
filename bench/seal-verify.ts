// Seal and verify cost (not a test): N synthetic events (bench/lib/events-gen.ts, the query-latency
// history), then the first seal over all of them, `verify` of that seal, and an incremental seal of
// a small batch written afterwards through audit.log_event (the steady state: each maintenance run
// seals what was written since the last). Reports seconds and seconds per million events.
//
//   npx tsx bench/seal-verify.ts                       # 1,000,000 events
//   npx tsx bench/seal-verify.ts --rows=10000000       # 10 million
// Flags: --rows=N (1,000,000)  --days=D (30)  --batch=N events for the incremental seal (10,000)
//        --jobs=1,2 verify's connection counts to compare (each verified --reps times, alternated)
//        --reps=N (2)  --out=FILE (bench/results/seal-verify[.<rows>].json)
//
// One embedded PostgreSQL 17 with server defaults. Generated events get transaction ids 1-100
// (below the new cluster's counter, so every one is committed in the sealer's snapshot; the cost
// of a seal does not depend on how tx ids are spread). The machine has 2 cores: run under
// `flock /tmp/bench.lock`.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { generateSealKey } from '../src/integrity/keys.ts';
import { sealNow } from '../src/integrity/seal.ts';
import { registerKey } from '../src/integrity/store.ts';
import { verifyTrail } from '../src/integrity/verify.ts';
import { generateEvents } from './lib/events-gen.ts';
import { withBenchDatabase } from './lib/bench-database.ts';
import { connect } from './lib/util.ts';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name: string) => argv.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3);
const O = {
  rows: Number(arg('rows') ?? 1_000_000), days: Number(arg('days') ?? 30), batch: Number(arg('batch') ?? 10_000),
  jobs: (arg('jobs') ?? '1,2').split(',').map(Number), reps: Number(arg('reps') ?? 2),
};
const out = arg('out') ?? join(here, 'results', `seal-verify${O.rows === 1_000_000 ? '' : `.${O.rows}`}.json`);

const seconds = (ms: number) => Math.round(ms) / 1000;
const perMillion = (ms: number, n: number) => Math.round((ms / n) * 1e6) / 1000;

async function main(): Promise<void> {
  await withBenchDatabase('bench_seal', async ({ url, client: c }) => {
    const end = new Date();
    const start = new Date(end.getTime() - O.days * 86_400_000);
    await c.query(`SELECT audit.ensure_partition(d) FROM generate_series($1::timestamptz, $2::timestamptz, interval '1 month') AS d`, [start, end]);
    await c.query(`SELECT audit.ensure_partition($1)`, [end]);
    let t = Date.now();
    await generateEvents(c, { rows: O.rows, days: O.days, end, txSql: '1 + floor(i * 100.0 / ' + O.rows + ')::bigint',
      progress: (done, ms) => process.stderr.write(`\rgenerated ${done} events (${Math.round(ms / 1000)} s)`) });
    process.stderr.write('\n');
    await c.query('VACUUM ANALYZE audit.events');
    const generateMs = Date.now() - t;
    const size = (await c.query(`SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) AS s FROM pg_inherits WHERE inhparent = 'audit.events'::regclass`)).rows[0].s;

    const key = generateSealKey();
    await registerKey(c, key);
    t = Date.now();
    const first = await sealNow(c, key);
    const sealMs = Date.now() - t;
    if (!first.sealed || first.count !== O.rows) throw new Error(`first seal covered ${JSON.stringify(first)}`);
    process.stderr.write(`sealed ${first.count} events in ${seconds(sealMs)} s\n`);

    await c.query(`SELECT audit.log_event('bench.event', 'bench', g::text, jsonb_build_object('n', g)) FROM generate_series(1, $1) AS g`, [O.batch]);
    t = Date.now();
    const second = await sealNow(c, key);
    const batchMs = Date.now() - t;
    if (!second.sealed || second.count !== O.batch) throw new Error(`second seal covered ${JSON.stringify(second)}`);

    // verify with each connection count, alternated, --reps times; helpers as the CLI opens them.
    const runs: Record<string, number[]> = {};
    let report: Awaited<ReturnType<typeof verifyTrail>> | undefined;
    for (let rep = 0; rep < O.reps; rep++) {
      for (const jobs of rep % 2 ? [...O.jobs].reverse() : O.jobs) {
        const helpers = await Promise.all(Array.from({ length: jobs - 1 }, () => connect(url)));
        t = Date.now();
        report = await verifyTrail(c, { keys: [key.fingerprint], helpers });
        const ms = Date.now() - t;
        await Promise.all(helpers.map((h) => h.end()));
        if (!report.ok) throw new Error(`verify failed: ${JSON.stringify(report.findings)}`);
        (runs[jobs] ??= []).push(seconds(ms));
        process.stderr.write(`verified ${report.events} events with ${jobs} connection(s) in ${seconds(ms)} s\n`);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    const verify = Object.fromEntries(Object.entries(runs).map(([jobs, xs]) => [`jobs_${jobs}`, {
      runs_s: xs, median_s: median(xs), median_s_per_million: perMillion(median(xs) * 1000, report!.events),
    }]));
    const seals = (await c.query(`SELECT pg_size_pretty(pg_total_relation_size('audit.seals')) AS s`)).rows[0].s;

    const result = {
      command: `npx tsx bench/seal-verify.ts${argv.length ? ` ${argv.join(' ')}` : ''}`,
      when: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model },
      postgres: (await c.query('SHOW server_version')).rows[0].server_version,
      rows: O.rows,
      events_size: size,
      seals_size: seals,
      generate_s: seconds(generateMs),
      first_seal_s: seconds(sealMs),
      first_seal_s_per_million: perMillion(sealMs, O.rows),
      batch: O.batch,
      batch_seal_s: seconds(batchMs),
      verify_events: report!.events,
      verify,
    };
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  });
}

await main();
