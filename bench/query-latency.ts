// Query-latency benchmark (not a test): the console's first page (listEvents, 50 rows) and capped
// count (countEvents) over 10 million events, for every filter shape the console offers, through
// the real src/query functions (filters parsed by parseFilter from URL parameters, as the console does).
//
//   npm run bench:query                                   # 10M events, monthly partitions (the default)
//   npm run bench:query -- --interval=day                 # the same events in daily partitions
//   npm run bench:query -- --rows=1000000 --runs=10       # smaller / quicker
// Flags: --rows=N (10,000,000)  --days=D (30)  --runs=N per shape (20)  --interval=month|day
//        --data-dir=DIR  keep the cluster there and reuse a database already generated with the same
//                        rows/days/interval (iterating on queries without regenerating)
//        --only=substr,… shapes whose name contains one of these   --explain  print each shape's plan once
//        --out=FILE (bench/results/query-latency[.<interval>][.search-index].json)  --timeout=S statement timeout (30)
//        --activity  measure the console's activity panel instead (src/query/activity.ts: histogram +
//                        top actors/actions/verbs/target types) for ACTIVITY_SHAPES, and for 24h/7d the
//                        plain GROUP BY over the window and the capped live read (3 runs each: seconds);
//                        first moves the transaction counter past the generated tx ids (bench/lib/xids.ts)
//                        and runs the rollup once, timed (results: query-latency.activity.json)
//        --search-index  build the optional free-text index (`pgtrail search-index enable`, CONCURRENTLY
//                        per partition) before measuring and report its build time and size; without
//                        the flag an index left in a kept database is dropped, so results are the default's
//
// One embedded PostgreSQL 17 with server defaults (shared_buffers 128MB, work_mem 4MB). Events are
// written by INSERT … SELECT generate_series as the owner (bench/lib/events-gen.ts), then ANALYZE.
// "now" for windows is the end of the generated span. Each shape runs once unmeasured (warm-up),
// then --runs times with parameter values that vary by run (actors across the skew, records, tx
// ids, addresses, search terms, window positions); p50/p95 of wall time at the client.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import pg from 'pg';
import { startEmbedded } from '../src/embedded/server.ts';
import { migrate } from '../src/install/migrate.ts';
import { parseFilter, windowFrom } from '../src/query/filter.ts';
import { countEvents, listEvents } from '../src/query/list.ts';
import { activity } from '../src/query/activity.ts';
import { advanceXidsPast } from './lib/xids.ts';
import { disableSearchIndex, enableSearchIndex, searchIndexStatus, type SearchIndexStatus } from '../src/maintenance/search-index.ts';
import type { Queryable } from '../src/db/queryable.ts';
import { SqlState, sqlState } from '../src/db/errors.ts';
import { actorId, actorName, FIRST, generateEvents, TABLES, txOf, userIp, ID_BASE } from './lib/events-gen.ts';
import { connect, fmt, lpad, pad, urlFor } from './lib/util.ts';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name: string) => argv.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3);
const O = {
  rows: Number(arg('rows') ?? 10_000_000),
  days: Number(arg('days') ?? 30),
  runs: Number(arg('runs') ?? 20),
  interval: (arg('interval') ?? 'month') as 'month' | 'day',
  dataDir: arg('data-dir'),
  only: arg('only')?.split(',').filter(Boolean),
  explain: argv.includes('--explain'),
  timeoutS: Number(arg('timeout') ?? 30),
  searchIndex: argv.includes('--search-index'),
};
if (!['month', 'day'].includes(O.interval)) throw new Error('--interval must be month or day');
const ACTIVITY = argv.includes('--activity');
const OUT = arg('out') ?? join(here, 'results', `query-latency${O.interval === 'month' ? '' : `.${O.interval}`}${O.searchIndex ? '.search-index' : ''}${ACTIVITY ? '.activity' : ''}.json`);
const COMMAND = `npm run bench:query${argv.length ? ' -- ' + argv.join(' ') : ''}`;
const TARGET_MS = 1000;
const log = (...xs: unknown[]) => console.log(...xs);
const LAYOUT = O.interval === 'day' ? 'daily' : 'monthly';

// ---------------------------------------------------------------- data
const DB = `qlat_${O.interval}_${O.rows}_${O.days}`;

async function prepare(baseUrl: string): Promise<{ end: Date; generatedSeconds: number | null; partitions: number; bytes: number }> {
  const admin = await connect(baseUrl);
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB])).rows.length > 0;
  if (exists) {
    const c = await connect(urlFor(baseUrl, DB));
    try {
      const meta = (await c.query(`SELECT "end", seconds FROM public.bench_meta WHERE done`).catch(() => ({ rows: [] as any[] }))).rows[0];
      if (meta) {
        await admin.end();
        log(`reusing database ${DB} (generated earlier, data ends ${meta.end.toISOString()})`);
        // Bring it to the current migrations (new indexes), as an upgrade would.
        const applied = await migrate(c);
        if (applied.length) {
          log(`  · applied ${applied.join(', ')}; ANALYZE`);
          await c.query('ANALYZE audit.events');
        }
        return { end: meta.end, generatedSeconds: meta.seconds, ...(await sizes(c)) };
      }
    } finally { await c.end(); }
    await admin.query(`DROP DATABASE ${DB} WITH (FORCE)`);
  }
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();

  const c = await connect(urlFor(baseUrl, DB));
  try {
    await migrate(c);
    // The span ends now (rounded to the second), so the console's quick windows see it as recent.
    const end = new Date(Math.floor(Date.now() / 1000) * 1000);
    const start = new Date(end.getTime() - O.days * 86_400_000);
    if (O.interval === 'day') {
      // The migration premade monthly partitions; they are empty, so a daily layout replaces them.
      await c.query(`SELECT audit.set_partitioning('1 day')`);
      const { rows } = await c.query(`SELECT partition FROM audit.partitions() WHERE NOT is_default`);
      for (const r of rows) await c.query(`DROP TABLE audit.${pg.escapeIdentifier(r.partition)}`);
    }
    await c.query(`SELECT audit.ensure_partition(d) FROM generate_series($1::timestamptz, $2::timestamptz, interval '1 day') AS d`, [start, end]);
    await c.query(`SELECT audit.premake_partitions($1)`, [end]);
    await c.query(`CREATE TABLE public.bench_meta ("end" timestamptz, seconds integer, done boolean)`);
    log(`generating ${O.rows.toLocaleString('en')} events over ${O.days} days into ${DB} (${LAYOUT} partitions)`);
    const t0 = Date.now();
    await generateEvents(c, {
      rows: O.rows, days: O.days, end,
      progress: (done, ms) => process.stdout.write(`  · ${done.toLocaleString('en')} rows, ${fmt(ms / 1000, 0)} s (${fmt(done / (ms / 1000) / 1000, 0)}k rows/s)\n`),
    });
    log('  · ANALYZE / VACUUM (for the visibility map)');
    await c.query('VACUUM (ANALYZE) audit.events');
    const seconds = Math.round((Date.now() - t0) / 1000);
    await c.query(`INSERT INTO public.bench_meta VALUES ($1, $2, true)`, [end, seconds]);
    log(`  · generated in ${seconds} s`);
    return { end, generatedSeconds: seconds, ...(await sizes(c)) };
  } finally { await c.end(); }
}

async function sizes(c: pg.Client): Promise<{ partitions: number; bytes: number }> {
  const { rows } = await c.query(`SELECT count(*) FILTER (WHERE NOT is_default)::int AS partitions,
      sum(pg_total_relation_size(('audit.' || quote_ident(partition))::regclass))::bigint AS bytes FROM audit.partitions()`);
  return { partitions: rows[0].partitions, bytes: Number(rows[0].bytes) };
}

/**
 * --search-index: builds the optional free-text index as `pgtrail search-index enable` does (or
 * finds it built by an earlier run on a kept database), then ANALYZE for its expression's
 * statistics. Without the flag, drops it, so the default layout is what gets measured.
 */
async function prepareSearchIndex(c: pg.Client): Promise<(SearchIndexStatus & { buildSeconds: number | null; bytesPerEvent: number }) | null> {
  if (!O.searchIndex) {
    if (await disableSearchIndex(c)) log('  · dropped the search index a previous --search-index run left');
    await c.query('DROP TABLE IF EXISTS public.bench_search_index');
    return null;
  }
  const before = await searchIndexStatus(c);
  let buildSeconds: number | null = null;
  if (before.state !== 'on') {
    log('building the search index (CREATE INDEX CONCURRENTLY per partition, newest first)');
    const t0 = Date.now();
    await enableSearchIndex(c, (s) => log(`  · ${s.partition} ${fmt(s.ms / 1000, 1)} s`));
    buildSeconds = Math.round((Date.now() - t0) / 1000);
    await c.query('ANALYZE audit.events');
    await c.query('CREATE TABLE IF NOT EXISTS public.bench_search_index (build_seconds integer)');
    await c.query('INSERT INTO public.bench_search_index VALUES ($1)', [buildSeconds]);
  } else {
    buildSeconds = (await c.query('SELECT max(build_seconds) AS s FROM public.bench_search_index').catch(() => ({ rows: [{ s: null }] }))).rows[0].s;
  }
  const status = await searchIndexStatus(c);
  const bytesPerEvent = status.bytes / Math.max(1, status.events);
  log(`search index: ${status.state}, ${fmt(status.bytes / 1073741824, 2)} GB, ${fmt(bytesPerEvent, 0)} bytes per event${buildSeconds !== null ? `, built in ${buildSeconds} s` : ' (built earlier)'}`);
  return { ...status, buildSeconds, bytesPerEvent };
}

// ---------------------------------------------------------------- shapes
/** Deterministic PRNG per (shape, run), so every run of the bench asks the same questions. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5 >>> 0), (s >>> 8) / 16_777_216);
}
/** Actors across the skew: run r picks heavy, medium and rare ones in turn. */
function pickActor(r: number, rand: () => number): number {
  const tiers = [[0, 3], [3, 30], [30, 120], [120, 240], [240, 300]];
  const [lo, hi] = tiers[r % tiers.length];
  return lo + Math.floor(rand() * (hi - lo));
}
const TERMS = ['aisha', 'novak', 'tok_25', 'campaigns', 'sign_in', '4711', 'garcia@', 'nightly', 'zzqx-nothing', 'emil.k'];

interface Ctx { end: Date; start: Date; rows: number }
interface Shape { name: string; group: string; windowed: boolean; params: (r: number, rand: () => number, ctx: Ctx) => Record<string, string | string[]> }

const iso = (d: Date) => d.toISOString();
const pastWindow = (ctx: Ctx, rand: () => number, hours: number) => {
  const span = ctx.end.getTime() - ctx.start.getTime() - hours * 3_600_000;
  const from = new Date(ctx.start.getTime() + Math.floor(rand() * span / 60_000) * 60_000);
  return { from: iso(from), to: iso(new Date(from.getTime() + hours * 3_600_000)) };
};
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const record = (rand: () => number) => ({ target_type: TABLES[Math.floor(20 * rand() * rand())], target_id: String(1 + Math.floor(60000 * rand() * rand())) });

const SHAPES: Shape[] = [
  { name: 'no filter', group: 'plain', windowed: false, params: () => ({}) },
  ...['1h', '24h', '7d', '30d'].map((w) => ({ name: `window ${w}`, group: 'window', windowed: true, params: () => ({ window: w }) })),
  { name: 'from/to 1h, in the past', group: 'window', windowed: true, params: (_r, rand, ctx) => pastWindow(ctx, rand, 1) },
  { name: 'to only (before a past day)', group: 'window', windowed: true, params: (_r, rand, ctx) => ({ to: pastWindow(ctx, rand, 1).to.slice(0, 10) }) },
  { name: 'from/to 24h, in the past', group: 'window', windowed: true, params: (_r, rand, ctx) => pastWindow(ctx, rand, 24) },
  { name: 'actor (id)', group: 'actor', windowed: false, params: (r, rand) => ({ actor: actorId(pickActor(r, rand)) }) },
  { name: 'actor (email)', group: 'actor', windowed: false, params: (r, rand) => ({ actor: actorName(Math.min(239, pickActor(r, rand))) }) },
  // The start of a name or email, as typed (migration 0008): a first name is shared by 12 of the
  // 240 users; the start of one email, typed with a capital, by one.
  { name: 'actor prefix (first name)', group: 'actor', windowed: false, params: (r) => ({ actor: FIRST[r % FIRST.length] }) },
  { name: 'actor prefix (email start)', group: 'actor', windowed: false, params: (r, rand) => ({ actor: capitalised(actorName(Math.min(239, pickActor(r, rand))).slice(0, 9)) }) },
  { name: 'actor + action update', group: 'actor', windowed: false, params: (r, rand) => ({ actor: actorId(pickActor(r, rand)), action: 'update' }) },
  { name: 'actor_type api_token', group: 'actor', windowed: false, params: () => ({ actor_type: 'api_token' }) },
  { name: 'action auth.*', group: 'action', windowed: false, params: () => ({ action: 'auth.*' }) },
  { name: 'action auth.sign_in_failed', group: 'action', windowed: false, params: () => ({ action: 'auth.sign_in_failed' }) },
  { name: 'action delete', group: 'action', windowed: false, params: () => ({ action: 'delete' }) },
  { name: 'target_type', group: 'target', windowed: false, params: (_r, rand) => ({ target_type: record(rand).target_type }) },
  { name: 'record history (type + id)', group: 'target', windowed: false, params: (_r, rand) => record(rand) },
  { name: 'tx_id', group: 'tx', windowed: false, params: (_r, rand, ctx) => ({ tx_id: String(txOf(1 + Math.floor(rand() * ctx.rows))) }) },
  { name: 'ip exact', group: 'ip', windowed: false, params: (r, rand) => ({ ip: userIp(Math.min(239, pickActor(r, rand)), 1 + Math.floor(rand() * 4)) }) },
  { name: 'ip CIDR /24', group: 'ip', windowed: false, params: (r, rand) => { const k = Math.min(239, pickActor(r, rand)); return { ip: `10.${k % 8}.${k}.0/24` }; } },
  { name: 'ip CIDR /16', group: 'ip', windowed: false, params: (r) => ({ ip: `10.${r % 8}.0.0/16` }) },
  { name: 'q free text', group: 'q', windowed: false, params: (r) => ({ q: TERMS[r % TERMS.length] }) },
  // combinations with a window
  { name: 'actor + 24h', group: 'combo', windowed: true, params: (r, rand) => ({ actor: actorId(pickActor(r, rand)), window: '24h' }) },
  { name: 'actor + 7d', group: 'combo', windowed: true, params: (r, rand) => ({ actor: actorId(pickActor(r, rand)), window: '7d' }) },
  { name: 'actor + action + 7d', group: 'combo', windowed: true, params: (r, rand) => ({ actor: actorId(pickActor(r, rand)), action: 'update', window: '7d' }) },
  { name: 'actor prefix + 24h', group: 'combo', windowed: true, params: (r) => ({ actor: FIRST[r % FIRST.length], window: '24h' }) },
  { name: 'actor prefix + 7d', group: 'combo', windowed: true, params: (r) => ({ actor: FIRST[r % FIRST.length], window: '7d' }) },
  { name: 'actor + from/to 24h past', group: 'combo', windowed: true, params: (r, rand, ctx) => ({ actor: actorId(pickActor(r, rand)), ...pastWindow(ctx, rand, 24) }) },
  { name: 'auth.* + 7d', group: 'combo', windowed: true, params: () => ({ action: 'auth.*', window: '7d' }) },
  { name: 'delete + 24h', group: 'combo', windowed: true, params: () => ({ action: 'delete', window: '24h' }) },
  { name: 'target_type + 24h', group: 'combo', windowed: true, params: (_r, rand) => ({ target_type: record(rand).target_type, window: '24h' }) },
  { name: 'record history + 30d', group: 'combo', windowed: true, params: (_r, rand) => ({ ...record(rand), window: '30d' }) },
  { name: 'ip exact + 7d', group: 'combo', windowed: true, params: (r, rand) => ({ ip: userIp(Math.min(239, pickActor(r, rand)), 1 + Math.floor(rand() * 4)), window: '7d' }) },
  { name: 'ip CIDR /16 + 24h', group: 'combo', windowed: true, params: (r) => ({ ip: `10.${r % 8}.0.0/16`, window: '24h' }) },
  { name: 'q + 1h', group: 'combo', windowed: true, params: (r) => ({ q: TERMS[r % TERMS.length], window: '1h' }) },
  { name: 'q + 24h', group: 'combo', windowed: true, params: (r) => ({ q: TERMS[r % TERMS.length], window: '24h' }) },
  { name: 'q + 7d', group: 'combo', windowed: true, params: (r) => ({ q: TERMS[r % TERMS.length], window: '7d' }) },
  { name: 'actor_type + auth.* + 30d', group: 'combo', windowed: true, params: () => ({ actor_type: 'user', action: 'auth.*', window: '30d' }) },
];

/** The activity panel's shapes; `naive` ones are also measured counted live (the baseline). */
const ACTIVITY_SHAPES: Array<Shape & { naive?: boolean }> = [
  ...['1h', '24h', '7d', '30d'].map((w) => ({ name: `activity ${w}`, group: 'activity', windowed: true, naive: w === '24h' || w === '7d', params: () => ({ window: w }) })),
  { name: 'activity from/to 24h, past', group: 'activity', windowed: true, params: (_r, rand, ctx) => pastWindow(ctx, rand, 24) },
  { name: 'activity delete + 24h', group: 'activity', windowed: true, params: () => ({ action: 'delete', window: '24h' }) },
  { name: 'activity delete + 7d', group: 'activity', windowed: true, params: () => ({ action: 'delete', window: '7d' }) },
  { name: 'activity sign_in_failed + 7d', group: 'activity', windowed: true, params: () => ({ action: 'auth.sign_in_failed', window: '7d' }) },
  { name: 'activity api_token + 7d', group: 'activity', windowed: true, params: () => ({ actor_type: 'api_token', window: '7d' }) },
  { name: 'activity target_type + 7d', group: 'activity', windowed: true, params: (_r, rand) => ({ target_type: record(rand).target_type, window: '7d' }) },
  { name: 'activity actor + 7d (live)', group: 'activity', windowed: true, params: (r, rand) => ({ actor: actorId(pickActor(r, rand)), window: '7d' }) },
  { name: 'activity ip /16 + 24h (live)', group: 'activity', windowed: true, params: (r) => ({ ip: `10.${r % 8}.0.0/16`, window: '24h' }) },
];

interface ActivityResult {
  name: string; example: string; source: string; partial: boolean; p50: number; p95: number; max: number; timeouts: number; runs: number[]; total: number;
  /** The same panel counted live (the newest 50,000 only), and the plain GROUP BY over the whole window it would otherwise take. */
  liveCapped?: { p50: number; max: number; runs: number[] };
  groupBy?: { p50: number; max: number; runs: number[] };
}

/** The naive panel: one GROUP BY GROUPING SETS over every event of the window (what the rollup replaces). */
const GROUP_BY = `SELECT count(*) FROM (SELECT 1 FROM audit.events WHERE occurred_at >= $1
  GROUP BY GROUPING SETS ((date_trunc('hour', occurred_at, 'UTC')), (action), (target_type), (actor_type, actor_id))) AS g`;

async function measureActivity(c: pg.Client, ctx: Ctx): Promise<ActivityResult[]> {
  const out: ActivityResult[] = [];
  const shapes = ACTIVITY_SHAPES.filter((s) => !O.only || O.only.some((w) => s.name.includes(w)));
  for (const [si, shape] of shapes.entries()) {
    const runs: number[] = [];
    let timeouts = 0, example = '', source = '', partial = false, total = 0;
    for (let r = -1; r < O.runs; r++) {
      const rand = rng((si + 1) * 6007 + (r + 2) * 104_729);
      const params = toParams(shape.params(Math.max(r, 0), rand, ctx));
      const t = await time(() => activity(c, parseFilter(params), ctx.end));
      if (r < 0) continue;
      if (r === 0) { example = params.toString(); source = t.value?.source ?? ''; partial = Boolean(t.value?.partial); total = t.value?.total ?? 0; }
      runs.push(t.ms);
      if (t.timedOut) timeouts++;
    }
    const res: ActivityResult = { name: shape.name, example, source, partial, p50: quantile(runs, 0.5), p95: quantile(runs, 0.95), max: Math.max(...runs), timeouts, runs: runs.map((x) => +x.toFixed(2)), total };
    if (shape.naive) {
      const stats = (xs: number[]) => ({ p50: quantile(xs, 0.5), max: Math.max(...xs), runs: xs.map((x) => +x.toFixed(2)) });
      const capped: number[] = [], grouped: number[] = [];
      for (let r = 0; r < 3; r++) {
        const filter = parseFilter(toParams(shape.params(r, rng(r + 1), ctx)));
        capped.push((await time(() => activity(c, filter, ctx.end, { rollup: false }))).ms);
        grouped.push((await time(() => c.query(GROUP_BY, [windowFrom(filter, ctx.end)]))).ms);
      }
      res.liveCapped = stats(capped);
      res.groupBy = stats(grouped);
    }
    out.push(res);
    log(`  ${pad(shape.name, 32)} p50 ${lpad(fmt(res.p50, 1), 8)} p95 ${lpad(fmt(res.p95, 1), 8)} ms  ${source}${partial ? ' (partial)' : ''}, ${total.toLocaleString('en')} events${res.groupBy ? `   GROUP BY p50 ${fmt(res.groupBy.p50, 0)} ms, live newest 50,000 p50 ${fmt(res.liveCapped!.p50, 0)} ms` : ''}`);
  }
  return out;
}

/** --activity: the generated tx ids committed in a snapshot's eyes, and the rollup built (timed). */
async function prepareActivity(c: pg.Client): Promise<{ rollupSeconds: number; rows: { kinds: number; actors: number } }> {
  const max = BigInt((await c.query(`SELECT max(tx_id) AS m FROM audit.events`)).rows[0].m);
  const at = await advanceXidsPast(c, max, (x) => process.stdout.write(`  · transaction counter at ${x}\n`));
  log(`  · transaction counter ${at} (past the generated tx ids, max ${max})`);
  const t0 = Date.now();
  // The first run rolls up every event (once per data set); the shapes keep the --timeout.
  await c.query('SET statement_timeout = 0');
  await c.query('SELECT audit.activity_rollup()');
  await c.query(`SET statement_timeout = '${O.timeoutS}s'`);
  const rollupSeconds = Math.round((Date.now() - t0) / 100) / 10;
  await c.query('ANALYZE audit.activity_hours, audit.activity_actor_hours');
  const rows = (await c.query(`SELECT (SELECT count(*) FROM audit.activity_hours)::int AS kinds, (SELECT count(*) FROM audit.activity_actor_hours)::int AS actors`)).rows[0];
  log(`  · rollup: ${rollupSeconds} s (incremental after the first run); ${rows.kinds.toLocaleString('en')} + ${rows.actors.toLocaleString('en')} rows`);
  return { rollupSeconds, rows };
}

// ---------------------------------------------------------------- measuring
/** Records the last statement, so --explain can show the plan of exactly what ran. */
function recording(c: pg.Client): Queryable & { last?: { text: string; values?: unknown[] } } {
  const q: Queryable & { last?: { text: string; values?: unknown[] } } = {
    // The last statement that read events (a split page ends with COMMIT; its last read is the
    // second step, which --explain shows without the SET LOCAL steering listEvents gives it).
    async query(text, values) { if (text.includes('FROM audit.events')) q.last = { text, values }; return c.query(text, values); },
  };
  return q;
}

function toParams(p: Record<string, string | string[]>): URLSearchParams {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) (Array.isArray(v) ? v : [v]).forEach((x) => u.append(k, x));
  return u;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; timedOut?: boolean }> {
  const t0 = process.hrtime.bigint();
  try {
    const value = await fn();
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
  } catch (e) {
    if (sqlState(e) === SqlState.queryCanceled) return { ms: O.timeoutS * 1000, timedOut: true };
    throw e;
  }
}

interface ShapeResult {
  name: string; group: string; windowed: boolean;
  list: { p50: number; p95: number; max: number; timeouts: number; runs: number[] };
  count: { p50: number; p95: number; max: number; timeouts: number; runs: number[]; cappedRuns: number; medianCount: number };
  rowsP50: number;
  example: string;
}

async function measure(c: pg.Client, ctx: Ctx): Promise<ShapeResult[]> {
  const db = recording(c);
  const secret = 'bench';
  const out: ShapeResult[] = [];
  const shapes = SHAPES.filter((s) => !O.only || O.only.some((w) => s.name.includes(w)));
  for (const [si, shape] of shapes.entries()) {
    const list: number[] = [], count: number[] = [], rows: number[] = [], counts: number[] = [];
    let listTo = 0, countTo = 0, capped = 0, example = '';
    for (let r = -1; r < O.runs; r++) {
      const rand = rng((si + 1) * 7919 + (r + 2) * 104_729);
      const params = toParams(shape.params(Math.max(r, 0), rand, ctx));
      const filter = parseFilter(params);
      if (r === 0) example = params.toString();
      const l = await time(() => listEvents(db, filter, { limit: 50, secret, now: ctx.end }));
      if (r === 0 && O.explain) await explain(c, shape.name, db.last!);
      const n = await time(() => countEvents(db, filter, ctx.end));
      if (r === 0 && O.explain) await explain(c, `${shape.name} (count)`, db.last!);
      if (r < 0) continue; // warm-up
      list.push(l.ms); count.push(n.ms);
      if (l.timedOut) listTo++; if (n.timedOut) countTo++;
      rows.push(l.value?.events.length ?? 0);
      if (n.value) { counts.push(n.value.count); if (n.value.capped) capped++; }
    }
    const res: ShapeResult = {
      name: shape.name, group: shape.group, windowed: shape.windowed,
      list: { p50: quantile(list, 0.5), p95: quantile(list, 0.95), max: Math.max(...list), timeouts: listTo, runs: list.map((x) => +x.toFixed(2)) },
      count: { p50: quantile(count, 0.5), p95: quantile(count, 0.95), max: Math.max(...count), timeouts: countTo, runs: count.map((x) => +x.toFixed(2)), cappedRuns: capped, medianCount: counts.length ? quantile(counts, 0.5) : NaN },
      rowsP50: quantile(rows, 0.5), example,
    };
    out.push(res);
    log(`  ${pad(shape.name, 30)} list p50 ${lpad(fmt(res.list.p50, 1), 8)} p95 ${lpad(fmt(res.list.p95, 1), 8)} ms   count p50 ${lpad(fmt(res.count.p50, 1), 8)} p95 ${lpad(fmt(res.count.p95, 1), 8)} ms   rows ${res.rowsP50}, count ${capped === O.runs ? '10,000+' : `${res.count.medianCount}${capped ? ` (${capped} capped)` : ''}`}`);
  }
  return out;
}

async function explain(c: pg.Client, label: string, q: { text: string; values?: unknown[] }): Promise<void> {
  const { rows } = await c.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) ${q.text}`, q.values);
  log(`\n--- ${label}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  const started = Date.now();
  log(`pgtrail query-latency benchmark — ${COMMAND}`);
  const server = await startEmbedded(O.dataDir ? { dataDir: O.dataDir } : {});
  try {
    const prepared = await prepare(server.url);
    const c = await connect(urlFor(server.url, DB));
    try {
      const searchIndex = await prepareSearchIndex(c);
      // Sizes after the search index was built or dropped: with it exactly when --search-index.
      const data = { ...prepared, ...(await sizes(c)) };
      await c.query(`SET statement_timeout = '${O.timeoutS}s'`);
      const info = (await c.query(`SELECT version() AS version, current_setting('shared_buffers') AS shared_buffers, current_setting('work_mem') AS work_mem,
          (SELECT count(*)::int FROM audit.events WHERE id > ${ID_BASE}) AS events`)).rows[0];
      const indexes = (await c.query(`SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = 'audit.events'::regclass ORDER BY 1`)).rows;
      log(`server: ${info.version.split(' on ')[0]}, shared_buffers ${info.shared_buffers}, work_mem ${info.work_mem}, ${cpus().length} CPUs`);
      log(`data: ${info.events.toLocaleString('en')} events, ${data.partitions} ${LAYOUT} partitions (+ default), ${fmt(data.bytes / 1073741824, 2)} GB with indexes`);
      log(`indexes: ${indexes.map((i) => i.name).join(', ')}`);
      log(`\n${O.runs} runs per shape (+1 warm-up), listEvents limit 50 then countEvents (capped at 10,001 rows):`);
      const ctx: Ctx = { end: data.end, start: new Date(data.end.getTime() - O.days * 86_400_000), rows: O.rows };
      if (ACTIVITY) {
        log(`\nactivity panel: preparing`);
        const prepared = await prepareActivity(c);
        log(`${O.runs} runs per shape (+1 warm-up), activity() (histogram + top actors, actions, target types):`);
        const shapes = await measureActivity(c, ctx);
        const result = { command: COMMAND, options: O, startedAt: new Date(started).toISOString(), server: { version: info.version, cpus: cpus().length },
          data: { events: info.events, days: O.days, interval: O.interval, end: data.end }, rollup: prepared, shapes, elapsedSeconds: Math.round((Date.now() - started) / 1000) };
        await mkdir(dirname(OUT), { recursive: true });
        await writeFile(OUT, JSON.stringify(result, null, 2) + '\n');
        log(`\nJSON: ${OUT}\ncommand: ${COMMAND}`);
        return;
      }
      const shapes = await measure(c, ctx);
      const slow = shapes.filter((s) => s.windowed && (s.list.p95 >= TARGET_MS || s.count.p95 >= TARGET_MS));
      report(shapes, info, data);
      const result = {
        command: COMMAND, options: O, startedAt: new Date(started).toISOString(),
        server: { version: info.version, shared_buffers: info.shared_buffers, work_mem: info.work_mem, cpus: cpus().length },
        data: { events: info.events, days: O.days, interval: O.interval, partitions: data.partitions, bytes: data.bytes, end: data.end, generatedSeconds: data.generatedSeconds },
        indexes, searchIndex, targetMs: TARGET_MS, windowedOverTarget: slow.map((s) => s.name), shapes,
        elapsedSeconds: Math.round((Date.now() - started) / 1000),
      };
      await mkdir(dirname(OUT), { recursive: true });
      await writeFile(OUT, JSON.stringify(result, null, 2) + '\n');
      log(`\nJSON: ${OUT}\ncommand: ${COMMAND}\nelapsed ${result.elapsedSeconds} s`);
    } finally { await c.end(); }
  } finally {
    await server.stop();
  }
}

function report(shapes: ShapeResult[], info: { version: string; events: number }, data: { partitions: number }): void {
  log(`\n=== pgtrail query latency — ${info.events.toLocaleString('en')} events, ${data.partitions} ${LAYOUT} partitions, ${info.version.split(' on ')[0]}, ${cpus().length} CPUs ===`);
  log(`${pad('filter shape', 30)}  ${lpad('page p50', 9)}  ${lpad('page p95', 9)}  ${lpad('count p50', 9)}  ${lpad('count p95', 9)}  ${lpad('count', 9)}  < 1 s`);
  for (const s of shapes) {
    const cnt = s.count.cappedRuns === s.count.runs.length ? '10,000+' : s.count.cappedRuns ? 'mixed' : String(s.count.medianCount);
    const ok = s.list.p95 < TARGET_MS && s.count.p95 < TARGET_MS ? 'yes' : s.windowed ? 'NO' : 'no (no window)';
    log(`${pad(s.name, 30)}  ${lpad(fmt(s.list.p50, 1), 9)}  ${lpad(fmt(s.list.p95, 1), 9)}  ${lpad(fmt(s.count.p50, 1), 9)}  ${lpad(fmt(s.count.p95, 1), 9)}  ${lpad(cnt, 9)}  ${ok}`);
  }
  log('(ms, wall time at the client; page = listEvents limit 50, count = countEvents capped at 10,001 rows)');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
