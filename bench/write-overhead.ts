// Write-overhead benchmark (not a test): what auditing with the generated v1 trigger costs a writer.
// One throwaway embedded PostgreSQL (17) per run; unaudited and audited are measured in the same run,
// alternately (ABBA), and medians are reported:
//   (a) pgbench TPC-B-like, -s 10 -c 4 -j 2 -T <duration>, pgbench_accounts/tellers/branches audited: tps ratio
//   (b) single-row INSERTs into a 10-column table (pgbench -f, -c 4 -j 2 -T <duration>): tps ratio
//   (c) one statement each inserting / updating (3 columns) / deleting <rows> rows: time ratio per phase and total
//   (d) bytes of audit.events (heap + TOAST + indexes, all partitions) per event recorded by (c)
// Every part also runs `bare-row` (bench/lib/variants.ts): the reference run's calibration point (external peer-harness), a bare row
// trigger writing to_jsonb(OLD)/to_jsonb(NEW) into a table without indexes, said to reach about 0.93 (a)
// and 3.0–3.2× (c) on this kind of machine: how it fares here shows how harsh this harness is.
// Optional: --variants (row-level vs statement-level, full vs changed-only old_data, on (b)/(c)/(d)),
//           --profile  (where the time of the audited bulk UPDATE goes; index and compression options).
//
//   npm run bench:write                        # default, ~10 min
//   npm run bench:write -- --quick             # ~2 min smoke run (short pgbench, fewer rows)
//   npm run bench:write -- --variants --profile
// Flags (env in brackets): --duration=S [BENCH_DURATION] pgbench seconds per run (30; quick 5)
//   --rounds=N [BENCH_ROUNDS] pgbench runs per side (3; quick 2)   --rows=N [BENCH_ROWS] rows for (c) (200000)
//   --reps=N [BENCH_REPS] repetitions of (c) (3; quick 1)         --only=a,b,c  subset of parts
//   --out=FILE JSON result (bench/results/write-overhead.json; quick/variants/profile runs write next to it)
import { mkdir, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbedded } from '../src/embedded/server.ts';
import { migrate } from '../src/install/migrate.ts';
import { enableAudit, disableAudit } from '../src/audit/enable.ts';
import {
  BARE_LOG, bareRowTriggers, DELETE_ROWS, DROP_VARIANT_TRIGGERS, INSERT_ROWS, PGBENCH_INSERT, PGBENCH_UPDATE, PREFILL, TABLE_DDL, UPDATE_ROWS,
  variantSql, type VariantName,
} from './lib/variants.ts';
import {
  auditStorage, columnSizes, connect, fmt, lpad, median, pad, parsePgbench, runPgbench, timed, urlFor, PGBENCH,
  type PgbenchResult, type Storage,
} from './lib/util.ts';
import { profileUpdate } from './lib/profile.ts';

const here = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string, env: string, dflt: number) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  const v = a ? a.slice(name.length + 3) : process.env[env];
  return v !== undefined && v !== '' ? Number(v) : dflt;
};
const quick = flag('quick') || process.env.BENCH_QUICK === '1';
const O = {
  quick,
  variants: flag('variants'),
  profile: flag('profile'),
  duration: opt('duration', 'BENCH_DURATION', quick ? 5 : 30),
  rounds: opt('rounds', 'BENCH_ROUNDS', quick ? 2 : 3),
  rows: opt('rows', 'BENCH_ROWS', quick ? 50_000 : 200_000),
  reps: opt('reps', 'BENCH_REPS', quick ? 1 : 3),
  scale: opt('scale', 'BENCH_SCALE', 10),
  clients: 4,
  threads: 2,
  only: (argv.find((x) => x.startsWith('--only='))?.slice(7) ?? 'a,b,c').split(','),
};
const outArg = argv.find((x) => x.startsWith('--out='))?.slice(6);
const defaultOut = quick ? 'write-overhead.quick.json' : 'write-overhead.json';
const OUT = outArg ?? join(here, 'results', defaultOut);
const COMMAND = `npm run bench:write${argv.length ? ' -- ' + argv.join(' ') : ''}`;

const TARGETS = { a: 0.85, b: 0.85, c: 2.5, d: 700 };
/** What the reference run says the bare row trigger reaches on this kind of machine (a, c). */
const BARE_CLAIMED = { a: 0.93, c: '3.0–3.2' };
const PEERS = {
  'supa_audit': { a: 0.30, b: 0.44, c: 18, d: 916 },
  'audit-trigger (classic)': { a: 0.82, b: 0.77, c: 5.6, d: 737 },
};

const log = (...xs: unknown[]) => console.log(...xs);
const step = (s: string) => process.stdout.write(`  · ${s}\n`);

// ---------------------------------------------------------------- server and databases
type Side = 'none' | 'v1' | VariantName;
const AUDITED_TPCB = ['pgbench_accounts', 'pgbench_tellers', 'pgbench_branches'];
const WIDE = { schema: 'public', table: 'bench_wide' };
const WIDE_TEMPLATE = 'bench_wide_tmpl';

let baseUrl = '';
const dbUrl = (name: string) => urlFor(baseUrl, name);

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await connect(baseUrl);
  try { return await fn(c); } finally { await c.end(); }
}

async function createDb(name: string, template?: string): Promise<void> {
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  });
}
const dropDb = (name: string) => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

/** Installs pgtrail's schema (its own migrations) into a database. */
async function installPgtrail(name: string, extra?: string): Promise<void> {
  const c = await connect(dbUrl(name));
  try {
    await migrate(c);
    if (extra) await c.query(extra);
  } finally { await c.end(); }
}

/** Puts the wide table into the wanted audit state: none, v1 (pgtrail's own enable/disable) or a hand-written variant. */
async function setWideSide(c: pg.Client, side: Side): Promise<void> {
  const audited = (await c.query(`SELECT 1 FROM audit.audited_tables WHERE schema_name = 'public' AND table_name = 'bench_wide'`)).rows.length > 0;
  if (audited) await disableAudit(c, WIDE);
  await c.query(DROP_VARIANT_TRIGGERS);
  if (side === 'v1') await enableAudit(c, WIDE, {});
  else if (side !== 'none') await c.query(variantSql(side));
}

/** ABBA-style orders: round r starts with a different side, so drift over the run hits every side alike. */
function orderFor<T>(sides: T[], round: number): T[] {
  const rot = [...sides.slice(round % sides.length), ...sides.slice(0, round % sides.length)];
  return sides.length === 2 ? (round % 2 ? [...sides].reverse() : [...sides]) : rot;
}

async function settle(c: pg.Client, tables: string[]): Promise<void> {
  for (const t of tables) await c.query(`VACUUM (ANALYZE) ${t}`);
  await c.query('CHECKPOINT');
}

// ---------------------------------------------------------------- (a) TPC-B-like
interface TpsPart { runs: Record<string, Array<PgbenchResult & { round: number }>>; median: Record<string, number>; ratio: Record<string, number> }

async function partA(): Promise<TpsPart & { events: number; command: string; storage: unknown }> {
  log(`\n(a) pgbench TPC-B-like, scale ${O.scale}`);
  await createDb('bench_tpcb');
  await installPgtrail('bench_tpcb');
  step(`pgbench -i -s ${O.scale}`);
  await runPgbench(dbUrl('bench_tpcb'), ['-i', '-s', String(O.scale), '-q']);
  const c = await connect(dbUrl('bench_tpcb'));
  const sides = ['none', 'v1', 'bare-row'] as const;
  const runs: TpsPart['runs'] = { none: [], v1: [], 'bare-row': [] };
  const args = ['-c', String(O.clients), '-j', String(O.threads), '-T', String(O.duration)];
  try {
    for (let round = 0; round < O.rounds; round++) {
      for (const side of orderFor([...sides], round)) {
        for (const t of AUDITED_TPCB) {
          const on = (await c.query(`SELECT 1 FROM audit.audited_tables WHERE table_name = $1`, [t])).rows.length > 0;
          if (side === 'v1' && !on) await enableAudit(c, { schema: 'public', table: t }, {});
          if (side !== 'v1' && on) await disableAudit(c, { schema: 'public', table: t });
        }
        await c.query(bareRowTriggers(AUDITED_TPCB, side === 'bare-row'));
        await c.query(`TRUNCATE ${BARE_LOG}`);
        await settle(c, ['pgbench_accounts']);
        // pgbench itself vacuums branches/tellers and truncates pgbench_history before each run.
        const r = parsePgbench((await runPgbench(dbUrl('bench_tpcb'), args)).stdout);
        runs[side].push({ ...r, round });
        step(`round ${round + 1} ${pad(side === 'none' ? 'unaudited' : side === 'v1' ? 'audited' : side, 9)} tps ${fmt(r.tps, 1)}  latency ${fmt(r.latencyMs, 3)} ms  failed ${r.failed}`);
      }
    }
    // Storage of TPC-B events too: small rows, one transaction per 3 events (tx_id does not deduplicate here).
    const storage = await auditStorage(c);
    const events = storage.events;
    const med = Object.fromEntries(sides.map((s) => [s, median(runs[s].map((r) => r.tps))]));
    return {
      runs, median: med, ratio: { v1: med.v1 / med.none, 'bare-row': med['bare-row'] / med.none }, events, command: `pgbench ${args.join(' ')}`,
      storage: { ...storage, perEvent: { total: storage.totalBytes / events, heap: storage.heapBytes / events, indexes: storage.indexBytes / events } },
    };
  } finally {
    await c.end();
    await dropDb('bench_tpcb');
  }
}

// ---------------------------------------------------------------- (b) single-row inserts (and, with --variants, single-row updates)
async function tpsOnWide(label: string, sides: Side[], script: string, prefill: number, rounds: number): Promise<TpsPart & { command: string }> {
  const db = 'bench_tps';
  await createDb(db, WIDE_TEMPLATE);
  const dir = await mkdtemp(join(tmpdir(), 'pgtrail-bench-'));
  const file = join(dir, 'script.sql');
  await writeFile(file, script);
  const args = ['-n', '-f', file, '-c', String(O.clients), '-j', String(O.threads), '-T', String(O.duration)];
  const c = await connect(dbUrl(db));
  const runs: TpsPart['runs'] = Object.fromEntries(sides.map((s) => [s, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const side of orderFor(sides, round)) {
        await setWideSide(c, 'none');
        await c.query('TRUNCATE public.bench_wide RESTART IDENTITY');
        if (prefill) await c.query(INSERT_ROWS(prefill));
        await setWideSide(c, side);
        if (side === 'bare-row') await c.query(`TRUNCATE ${BARE_LOG}`);
        await settle(c, ['public.bench_wide']);
        const r = parsePgbench((await runPgbench(dbUrl(db), args)).stdout);
        runs[side].push({ ...r, round });
        step(`${label} round ${round + 1} ${pad(side, 12)} tps ${fmt(r.tps, 1)}  latency ${fmt(r.latencyMs, 3)} ms  failed ${r.failed}`);
      }
    }
  } finally {
    await c.end();
    await dropDb(db);
    await rm(dir, { recursive: true, force: true });
  }
  const med = Object.fromEntries(sides.map((s) => [s, median(runs[s].map((r) => r.tps))]));
  const ratio = Object.fromEntries(sides.filter((s) => s !== 'none').map((s) => [s, med[s] / med.none]));
  return { runs, median: med, ratio, command: `pgbench ${args.join(' ').replace(file, '<script>')}`, };
}

// ---------------------------------------------------------------- (c) bulk statements, (d) storage
interface BulkRun { rep: number; insertMs: number; updateMs: number; deleteMs: number; totalMs: number }
interface BulkSide { runs: BulkRun[]; median: Omit<BulkRun, 'rep'>; storage?: Storage & { perEvent: Record<string, number> }; columns?: Record<string, Record<string, number>> }

async function bulkOnce(side: Side, rep: number): Promise<{ run: BulkRun; storage?: Storage; columns?: Record<string, Record<string, number>> }> {
  const db = `bench_bulk_${side.replace(/-/g, '_')}`;
  await createDb(db, WIDE_TEMPLATE);
  const c = await connect(dbUrl(db));
  try {
    await setWideSide(c, side);
    const tables = ['public.bench_wide', 'audit.events'];
    await settle(c, tables);
    const insertMs = await timed(c, INSERT_ROWS(O.rows));
    await settle(c, tables);
    const updateMs = await timed(c, UPDATE_ROWS);
    await settle(c, tables);
    const deleteMs = await timed(c, DELETE_ROWS);
    const run = { rep, insertMs, updateMs, deleteMs, totalMs: insertMs + updateMs + deleteMs };
    step(`rep ${rep + 1} ${pad(side, 12)} insert ${lpad(fmt(insertMs, 0), 6)} ms  update ${lpad(fmt(updateMs, 0), 6)} ms  delete ${lpad(fmt(deleteMs, 0), 6)} ms`);
    if (side === 'none' || side.startsWith('noop')) return { run };
    if (side === 'bare-row') {
      const { rows: [b] } = await c.query(`SELECT count(*)::int AS n FROM ${BARE_LOG}`);
      if (b.n !== 3 * O.rows) throw new Error(`bare-row: expected ${3 * O.rows} log rows, got ${b.n}`);
      return { run };
    }
    const storage = await auditStorage(c);
    const { rows } = await c.query(`SELECT action, count(*)::int AS n FROM audit.events GROUP BY action ORDER BY action`);
    const counts = Object.fromEntries(rows.map((r) => [r.action, r.n]));
    if (counts.insert !== O.rows || counts.update !== O.rows || counts.delete !== O.rows || storage.events !== 3 * O.rows) {
      throw new Error(`${side}: expected ${O.rows} events per action, got ${JSON.stringify(counts)}`);
    }
    return { run, storage, columns: rep === 0 ? await columnSizes(c) : undefined };
  } finally {
    await c.end();
    await dropDb(db);
  }
}

async function partC(sides: Side[]): Promise<Record<string, BulkSide>> {
  log(`\n(c) bulk statements on ${O.rows} rows, ${O.reps} repetition(s), sides: ${sides.join(', ')}`);
  const out: Record<string, BulkSide> = Object.fromEntries(sides.map((s) => [s, { runs: [] } as unknown as BulkSide]));
  const storages: Record<string, Storage[]> = {};
  for (let rep = 0; rep < O.reps; rep++) {
    for (const side of orderFor(sides, rep)) {
      const r = await bulkOnce(side, rep);
      out[side].runs.push(r.run);
      if (r.storage) (storages[side] ??= []).push(r.storage);
      if (r.columns) out[side].columns = r.columns;
    }
  }
  for (const side of sides) {
    const runs = out[side].runs;
    out[side].median = {
      insertMs: median(runs.map((r) => r.insertMs)),
      updateMs: median(runs.map((r) => r.updateMs)),
      deleteMs: median(runs.map((r) => r.deleteMs)),
      totalMs: median(runs.map((r) => r.totalMs)),
    };
    const st = storages[side];
    if (st) {
      // Sizes are deterministic up to a page; take the run with the median total.
      const s = [...st].sort((a, b) => a.totalBytes - b.totalBytes)[Math.floor(st.length / 2)];
      out[side].storage = {
        ...s,
        perEvent: {
          total: s.totalBytes / s.events, heap: s.heapBytes / s.events, toast: s.toastBytes / s.events, indexes: s.indexBytes / s.events,
          ...Object.fromEntries(Object.entries(s.indexes).map(([k, v]) => [k, v / s.events])),
        },
      };
    }
  }
  return out;
}

// ---------------------------------------------------------------- report
function ratiosC(res: Record<string, BulkSide>, side: string) {
  const a = res[side].median, b = res.none.median;
  return { insert: a.insertMs / b.insertMs, update: a.updateMs / b.updateMs, delete: a.deleteMs / b.deleteMs, total: a.totalMs / b.totalMs };
}

async function main(): Promise<void> {
  const started = Date.now();
  log(`pgtrail write-overhead benchmark — ${COMMAND}`);
  log(`options: ${JSON.stringify(O)}`);
  const server = await startEmbedded();
  baseUrl = server.url;
  const result: Record<string, unknown> = { command: COMMAND, options: O, startedAt: new Date(started).toISOString() };
  try {
    const info = await admin(async (c) => (await c.query(`SELECT version() AS version, current_setting('shared_buffers') AS shared_buffers,
      current_setting('work_mem') AS work_mem, current_setting('max_wal_size') AS max_wal_size, current_setting('synchronous_commit') AS synchronous_commit`)).rows[0]);
    const pgbenchVersion = (await runPgbench(baseUrl, ['--version'])).stdout.trim();
    log(`server: ${info.version}`);
    log(`client: ${pgbenchVersion} (${PGBENCH}); shared_buffers ${info.shared_buffers}, work_mem ${info.work_mem}, max_wal_size ${info.max_wal_size}, synchronous_commit ${info.synchronous_commit}`);
    result.server = { ...info, pgbench: pgbenchVersion, cpus: (await import('node:os')).cpus().length };

    await createDb(WIDE_TEMPLATE);
    await installPgtrail(WIDE_TEMPLATE, TABLE_DDL);

    if (O.only.includes('a')) result.a = await partA();
    if (O.only.includes('b')) {
      log(`\n(b) single-row INSERT into the 10-column table`);
      result.b = await tpsOnWide('insert', O.variants ? ['none', 'v1', 'bare-row', 'row-full', 'noop-stmt', 'noop-row'] : ['none', 'v1', 'bare-row'], PGBENCH_INSERT, 0, O.rounds);
      if (O.variants) {
        log(`\n(b') variants: single-row UPDATE (3 columns) on ${PREFILL} rows`);
        result.bUpdate = await tpsOnWide('update', ['none', 'v1', 'row-full', 'stmt-changed'], PGBENCH_UPDATE, PREFILL, O.rounds);
      }
    }
    if (O.only.includes('c')) {
      const sides: Side[] = O.variants ? ['none', 'v1', 'bare-row', 'stmt-changed', 'row-full', 'row-changed', 'noop-stmt', 'noop-row'] : ['none', 'v1', 'bare-row'];
      result.c = await partC(sides);
    }
    if (O.profile) {
      log(`\nprofile: where the audited bulk UPDATE spends its time`);
      result.profile = await profileUpdate({ url: dbUrl, createDb, dropDb, template: WIDE_TEMPLATE, rows: O.rows, enable: setWideSide, outDir: join(here, 'results') });
    }
    result.elapsedSeconds = Math.round((Date.now() - started) / 1000);
    report(result);
    await mkdir(dirname(OUT), { recursive: true });
    await writeFile(OUT, JSON.stringify(result, null, 2) + '\n');
    log(`\nJSON: ${OUT}`);
    log(`command: ${COMMAND}`);
  } finally {
    await server.stop();
  }
}

function report(r: Record<string, any>): void {
  const line = (cells: string[], widths: number[]) => log(cells.map((c, i) => (i === 0 ? pad(c, widths[i]) : lpad(c, widths[i]))).join('  '));
  const W = [44, 12, 12, 10, 10, 10];
  log(`\n=== pgtrail write overhead (template v1) — ${r.server.version.split(' on ')[0]}, ${r.server.cpus} CPUs ===`);
  line(['measure', 'unaudited', 'audited', 'result', 'target', 'ok'], W);
  if (r.a) line([`(a) TPC-B -s ${O.scale} -c 4 -j 2 -T ${O.duration}, tps (median of ${O.rounds})`, fmt(r.a.median.none, 1), fmt(r.a.median.v1, 1), fmt(r.a.ratio.v1, 3), `≥ ${TARGETS.a}`, r.a.ratio.v1 >= TARGETS.a ? 'yes' : 'NO'], W);
  if (r.b) line([`(b) 1-row INSERT -c 4 -j 2 -T ${O.duration}, tps`, fmt(r.b.median.none, 1), fmt(r.b.median.v1, 1), fmt(r.b.ratio.v1, 3), `≥ ${TARGETS.b}`, r.b.ratio.v1 >= TARGETS.b ? 'yes' : 'NO'], W);
  if (r.c) {
    const c = r.c, q = ratiosC(c, 'v1');
    for (const ph of ['insert', 'update', 'delete'] as const) {
      line([`(c) ${ph} ${O.rows} rows, ms (median of ${O.reps})`, fmt(c.none.median[`${ph}Ms`], 0), fmt(c.v1.median[`${ph}Ms`], 0), `${fmt(q[ph], 2)}×`, '', ''], W);
    }
    line([`(c) insert+update+delete, ms`, fmt(c.none.median.totalMs, 0), fmt(c.v1.median.totalMs, 0), `${fmt(q.total, 2)}×`, `≤ ${TARGETS.c}×`, q.total <= TARGETS.c ? 'yes' : 'NO'], W);
    const s = c.v1.storage;
    line([`(d) audit bytes per event (${s.events} events)`, '', fmt(s.totalBytes / 1048576, 1) + ' MB', fmt(s.perEvent.total, 0) + ' B', `≤ ${TARGETS.d}`, s.perEvent.total <= TARGETS.d ? 'yes' : 'NO'], W);
    line([`    heap / TOAST / indexes per event`, '', '', `${fmt(s.perEvent.heap, 0)}/${fmt(s.perEvent.toast, 0)}/${fmt(s.perEvent.indexes, 0)}`, '', ''], W);
    for (const [k, v] of Object.entries(s.indexes)) line([`      ${k}`, '', fmt((v as number) / 1048576, 1) + ' MB', fmt((v as number) / s.events, 1) + ' B', '', ''], W);
  }
  const bareC = r.c?.['bare-row'] ? ratiosC(r.c, 'bare-row') : null;
  log(`calibration — bare row trigger, no indexes (the reference run: ~${BARE_CLAIMED.a} (a), ${BARE_CLAIMED.c}× (c)), same run: ` +
    `(a) ${r.a ? fmt(r.a.ratio['bare-row'], 3) : 'n/a'}, (b) ${r.b ? fmt(r.b.ratio['bare-row'], 3) : 'n/a'}, ` +
    `(c) ${bareC ? `${fmt(bareC.total, 2)}× (insert ${fmt(bareC.insert, 2)}×, update ${fmt(bareC.update, 2)}×, delete ${fmt(bareC.delete, 2)}×)` : 'n/a'}`);
  log(`peers (a/b/c/d): ${Object.entries(PEERS).map(([k, v]) => `${k} ${v.a} / ${v.b} / ${v.c}× / ${v.d} B`).join('; ')}`);
  if (r.a) log(`(a) runs: ${Object.keys(r.a.runs).map((s) => `${s} ${r.a.runs[s].map((x: PgbenchResult) => fmt(x.tps, 0)).join(', ')}`).join(' | ')}; ${r.a.events} events recorded, ${fmt(r.a.storage.perEvent.total, 0)} B/event (heap ${fmt(r.a.storage.perEvent.heap, 0)}, indexes ${fmt(r.a.storage.perEvent.indexes, 0)})`);
  if (r.b) log(`(b) runs: ${Object.keys(r.b.runs).map((s) => `${s} ${r.b.runs[s].map((x: PgbenchResult) => fmt(x.tps, 0)).join(', ')}`).join(' | ')}`);
  if (r.c) log(`(c) total ms per rep: ${Object.keys(r.c).map((s) => `${s} ${r.c[s].runs.map((x: BulkRun) => fmt(x.totalMs, 0)).join(', ')}`).join(' | ')}`);
  if (r.c?.v1.columns?.update) log(`(d) avg bytes per update event: ${Object.entries(r.c.v1.columns.update).map(([k, v]) => `${k} ${v}`).join(', ')}`);

  if (O.variants && r.c) {
    log(`\n=== variants (same run; ratios vs unaudited) ===`);
    const V = [14, 9, 9, 9, 9, 10, 10, 10, 10];
    line(['side', 'insert×', 'update×', 'delete×', 'total×', 'B/event', 'heap B', 'index B', 'upd B/ev'], V);
    for (const side of Object.keys(r.c)) {
      if (side === 'none') continue;
      const q = ratiosC(r.c, side), s = r.c[side].storage;
      line([side, fmt(q.insert), fmt(q.update), fmt(q.delete), fmt(q.total), s ? fmt(s.perEvent.total, 0) : '-', s ? fmt(s.perEvent.heap, 0) : '-', s ? fmt(s.perEvent.indexes, 0) : '-',
        r.c[side].columns?.update ? fmt(r.c[side].columns.update['(row)'], 0) : '-'], V);
    }
    if (r.b) log(`single-row INSERT tps ratio: ${Object.entries(r.b.ratio).map(([k, v]) => `${k} ${fmt(v as number, 3)}`).join(', ')}`);
    if (r.bUpdate) log(`single-row UPDATE tps ratio: ${Object.entries(r.bUpdate.ratio).map(([k, v]) => `${k} ${fmt(v as number, 3)}`).join(', ')} (unaudited ${fmt(r.bUpdate.median.none, 0)} tps)`);
  }
  if (r.profile) log(`\nprofile summary:\n${r.profile.summary}`);
  log(`\nelapsed ${r.elapsedSeconds} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
