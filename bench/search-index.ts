// What the optional free-text index (`pgtrail search-index enable`, migration 0006) costs writes
// (benchmark, not a test). Two measurements, each in a fresh database cloned from one migrated
// template, with and without the index, alternating off/on/on/off… so drift hits both sides:
//
//   bulk    INSERT … SELECT of --rows (200,000) events like the query-latency benchmark's
//           (bench/lib/events-gen.ts: same actors, targets, actions), one statement, wall time;
//   single  pgbench, one client, --seconds (15) s: each transaction sets a user context and logs
//           one application event through audit.log_event (one audited row per transaction, as
//           a web request makes), transactions per second.
//
//   npx tsx bench/search-index.ts                    # --rows=200000 --seconds=15 --rounds=3
//   npx tsx bench/search-index.ts --index=id-brin    # the same for migration 0007's BRIN on id
//                                                    # (off = dropped from the migrated template)
// Output: bench/results/search-index.json, bench/results/id-brin.json with --index=id-brin (or --out=FILE). Run it alone on the machine (it uses
// both cores): flock /tmp/bench.lock npx tsx bench/search-index.ts
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { startEmbedded } from '../src/embedded/server.ts';
import { migrate } from '../src/install/migrate.ts';
import pg from 'pg';
import { enableSearchIndex, searchIndexStatus } from '../src/maintenance/search-index.ts';
import { generateEvents } from './lib/events-gen.ts';
import { connect, fmt, median, parsePgbench, runPgbench, urlFor } from './lib/util.ts';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name: string) => argv.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3);
const O = {
  rows: Number(arg('rows') ?? 200_000),
  seconds: Number(arg('seconds') ?? 15),
  rounds: Number(arg('rounds') ?? 3),
};
const INDEX = arg('index') ?? 'search';

/** The index measured: how one side gets it (or loses it) and how big it grew. */
interface Measured { name: string; on(c: pg.Client): Promise<void>; off(c: pg.Client): Promise<void>; bytes(c: pg.Client): Promise<number> }
const MEASURED: Record<string, Measured> = {
  search: {
    name: 'search index',
    on: async (c) => { await enableSearchIndex(c); },
    off: async () => {},
    bytes: async (c) => (await searchIndexStatus(c)).bytes,
  },
  'id-brin': {
    // Shipped by migration 0007, so the template has it; the "off" side drops it.
    name: 'BRIN on id',
    on: async () => {},
    off: async (c) => { await c.query('DROP INDEX audit.events_id_brin_idx'); },
    bytes: async (c) => Number((await c.query(`SELECT coalesce(sum(pg_relation_size(inhrelid)), 0) AS b FROM pg_inherits WHERE inhparent = 'audit.events_id_brin_idx'::regclass`)).rows[0].b),
  },
};
const M = MEASURED[INDEX];
if (!M) throw new Error(`--index must be one of ${Object.keys(MEASURED).join(', ')}`);
const OUT = arg('out') ?? join(here, 'results', INDEX === 'search' ? 'search-index.json' : `${INDEX}.json`);
const COMMAND = `npx tsx bench/search-index.ts${argv.length ? ' ' + argv.join(' ') : ''}`;
const log = (...xs: unknown[]) => console.log(...xs);

// One user event per transaction; actor and target vary like the generated history's.
const PGBENCH_SCRIPT = `\\set k random(0, 239)
\\set rec random(1, 60000)
BEGIN;
SELECT audit.set_context(jsonb_build_object('actor_type', 'user', 'actor_id', (1000 + :k * 7)::text, 'actor_name', 'user' || :k || '.name@example.com', 'ip', '10.0.0.' || (:k % 250)));
SELECT audit.log_event('contact.update', 'public.contacts', :rec::text, '{"via":"bench"}');
COMMIT;
`;

interface Round { index: boolean; bulkMs: number; singleTps: number; indexBytes: number; events: number }

async function main(): Promise<void> {
  const started = Date.now();
  log(`pgtrail ${M.name} write cost — ${COMMAND}`);
  const server = await startEmbedded({});
  const script = join(mkdtempSync(join(tmpdir(), 'pgtrail-sidx-')), 'event.sql');
  writeFileSync(script, PGBENCH_SCRIPT);
  try {
    const admin = await connect(server.url);
    await admin.query('DROP DATABASE IF EXISTS sidx_template');
    await admin.query('CREATE DATABASE sidx_template');
    const end = new Date(Math.floor(Date.now() / 1000) * 1000);
    {
      const c = await connect(urlFor(server.url, 'sidx_template'));
      await migrate(c);
      await c.query('CREATE EXTENSION pg_trgm');
      await c.query(`SELECT audit.ensure_partition(d) FROM generate_series($1::timestamptz - interval '2 days', $1::timestamptz, interval '1 day') AS d`, [end]);
      await c.end();
    }
    const rounds: Round[] = [];
    const order = Array.from({ length: O.rounds * 2 }, (_, i) => [false, true, true, false][i % 4]);
    for (const [i, index] of order.entries()) {
      const db = `sidx_${i}`;
      await admin.query(`DROP DATABASE IF EXISTS ${db}`);
      await admin.query(`CREATE DATABASE ${db} TEMPLATE sidx_template`);
      const url = urlFor(server.url, db);
      const c = await connect(url);
      try {
        await (index ? M.on(c) : M.off(c));
        await c.query('CHECKPOINT');
        const t0 = process.hrtime.bigint();
        await generateEvents(c, { rows: O.rows, days: 1, end });
        const bulkMs = Number(process.hrtime.bigint() - t0) / 1e6;
        await c.query('CHECKPOINT');
        const single = parsePgbench((await runPgbench(url, ['-n', '-c', '1', '-T', String(O.seconds), '-f', script])).stdout);
        await c.query('ANALYZE audit.events');
        const indexBytes = index ? await M.bytes(c) : 0;
        const events = Number((await c.query('SELECT count(*) AS n FROM audit.events')).rows[0].n);
        rounds.push({ index, bulkMs, singleTps: single.tps, indexBytes, events });
        log(`  round ${i + 1} index ${index ? 'on ' : 'off'}: bulk ${O.rows.toLocaleString('en')} rows ${fmt(bulkMs / 1000, 2)} s, single-event transactions ${fmt(single.tps, 0)}/s, index ${fmt(indexBytes / 1024, 0)} KB`);
      } finally {
        await c.end();
        await admin.query(`DROP DATABASE IF EXISTS ${db}`);
      }
    }
    await admin.query('DROP DATABASE IF EXISTS sidx_template');
    await admin.end();

    const side = (index: boolean) => rounds.filter((r) => r.index === index);
    const off = { bulkMs: median(side(false).map((r) => r.bulkMs)), singleTps: median(side(false).map((r) => r.singleTps)) };
    const on = { bulkMs: median(side(true).map((r) => r.bulkMs)), singleTps: median(side(true).map((r) => r.singleTps)) };
    const withIndex = side(true).at(-1)!;
    const summary = {
      bulkRatio: on.bulkMs / off.bulkMs,
      bulkMicrosPerRowAdded: ((on.bulkMs - off.bulkMs) * 1000) / O.rows,
      singleTpsRatio: on.singleTps / off.singleTps,
      singleMicrosPerEventAdded: (1e6 / on.singleTps) - (1e6 / off.singleTps),
      indexBytesPerEvent: withIndex.indexBytes / Math.max(1, withIndex.events),
    };
    log(`\n=== ${M.name} write cost (medians of ${O.rounds} per side, ${cpus().length} CPUs) ===`);
    log(`bulk INSERT … SELECT of ${O.rows.toLocaleString('en')} events: ${fmt(off.bulkMs / 1000, 2)} s without, ${fmt(on.bulkMs / 1000, 2)} s with the index (×${fmt(summary.bulkRatio, 2)}, +${fmt(summary.bulkMicrosPerRowAdded, 1)} µs per event)`);
    log(`one event per transaction (pgbench, 1 client): ${fmt(off.singleTps, 0)}/s without, ${fmt(on.singleTps, 0)}/s with (×${fmt(summary.singleTpsRatio, 2)} throughput, +${fmt(summary.singleMicrosPerEventAdded, 1)} µs per event)`);
    log(`index size: ${fmt(summary.indexBytesPerEvent, 2)} bytes per event`);
    const result = { command: COMMAND, options: O, startedAt: new Date(started).toISOString(), cpus: cpus().length, rounds, off, on, summary, elapsedSeconds: Math.round((Date.now() - started) / 1000) };
    await mkdir(dirname(OUT), { recursive: true });
    await writeFile(OUT, JSON.stringify(result, null, 2) + '\n');
    log(`\nJSON: ${OUT}\ncommand: ${COMMAND}\nelapsed ${result.elapsedSeconds} s`);
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
