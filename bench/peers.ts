// Side-by-side write benchmark (not a test): pgtrail beside the peers and the bare
// reference triggers, in one PostgreSQL 15 cluster from Debian's binaries (fsync on, shared_buffers
// 1GB), after the reference harness (peer-harness/run.sh, external: not in this repository). Every (workload, repetition,
// config) runs in a fresh database cloned from the workload's unaudited base, with the tool then
// installed its documented way; configs are rotated within each repetition (repetition r starts at
// config r mod n) and ratios are taken to the unaudited run of the same repetition.
//   (a) pgbench TPC-B-like -s 10 -c 4 -j 2 -T <duration>, accounts/tellers/branches audited: tps
//   (b) one-row INSERT per transaction into a 10-column table, -c 4 -j 2 -T <duration>: tps
//   (c) <rows>-row INSERT, then UPDATE, then DELETE, each timed, plus pgtrail's deferred work: time
//   (d) after (c): growth of the tool's schema (heap + TOAST + indexes, all partitions) per event
//   (e) FK cascade: DELETE FROM parents (10,000 × 5 children, both audited): time
//   (f) TOAST: UPDATE big SET n = n + 1 over 100 rows holding 5 MB each (STORAGE EXTERNAL): time
//
//   npm run bench:peers -- --audit-trigger-sql=PATH --supa-audit-sql=PATH         # full run, not yet timed (~1 h?)
//   npm run bench:peers -- --quick --out=/tmp/peers.json ...                        # smoke run
// Flags: --reps=N (3) --duration=S (20) --rows=N (200000) --only=a,b,c,d,e,f --configs=none,pgtrail,…
//   --scale=N (10) --parents=N (10000) --toast-rows=N (100) --toast-mb=N (5) --maintain-interval=S (1)
//   --audit-trigger-sql=PATH [AUDIT_TRIGGER_SQL] --supa-audit-sql=PATH [SUPA_AUDIT_SQL]
//   --audit-trigger-commit=C (fdc3ade5) --supa-audit-commit=C (4f527f06)
//   --pgtrail-context (every session carries a pgtrail context; default: none, the db_role fallback)
//   --quick (reps 1, duration 3, rows 20000, parents 1000, toast-rows 10) --keep (keep the cluster's folder)
//   --out=FILE (bench/results/peers.json; the markdown goes next to it, as .md)
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quoteIdent } from '../src/db/sql.ts';
import { startCluster, CLUSTER_SETTINGS, type Cluster } from './lib/cluster.ts';
import { pgtrailDeferredWork, everyInterval, type DeferredStats } from './lib/deferred.ts';
import { CONFIG_NAMES, DEFAULT_CONFIGS, LABELS, PEER_SOURCES, loadPeer, makeConfigs, type Config, type ConfigName, type PeerFile, type PeerName } from './lib/peer-configs.ts';
import { markdownTable, spread, ratios, type Row, type Run, type Runs } from './lib/peers-report.ts';
import {
  BENCH_T_DDL, BULK, FK_DDL, FK_DELETE, FK_FILL, INSERT_ONE_PGBENCH, TOAST_DDL, TOAST_FILL, TOAST_UPDATE,
} from './lib/peer-workloads.ts';
import { connect, parsePgbench, runPgbench, schemaStorage, timed, urlFor, type SchemaStorage } from './lib/util.ts';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
// The peers' paths are facts of one machine: the command is recorded with their base names only.
const shown = argv.map((a) => a.replace(/^(--(?:audit-trigger|supa-audit)-sql=).*\/([^/]+)$/, '$1…/$2'));
const COMMAND = `npm run bench:peers${shown.length ? ' -- ' + shown.join(' ') : ''}`;

// ---------------------------------------------------------------- options
const WORKLOADS = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
const KNOWN = ['reps', 'duration', 'rows', 'only', 'configs', 'scale', 'parents', 'toast-rows', 'toast-mb', 'maintain-interval',
  'audit-trigger-sql', 'supa-audit-sql', 'audit-trigger-commit', 'supa-audit-commit', 'out'];
const BOOLEAN = ['quick', 'keep', 'pgtrail-context'];

function usage(message: string): never {
  console.error(`bench:peers: ${message}\nsee the header of bench/peers.ts or bench/README.md for the flags`);
  process.exit(2);
}

function parseOptions() {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (const a of argv) {
    const m = a.match(/^--([a-z-]+)(?:=(.*))?$/);
    if (!m) usage(`unexpected argument ${JSON.stringify(a)}`);
    const [, name, value] = m;
    if (BOOLEAN.includes(name) && value === undefined) flags.add(name);
    else if (KNOWN.includes(name) && value !== undefined && value !== '') values[name] = value;
    else usage(BOOLEAN.includes(name) ? `--${name} takes no value` : KNOWN.includes(name) ? `--${name} needs a value (--${name}=…)` : `unknown flag --${name}`);
  }
  const quick = flags.has('quick');
  const int = (name: string, dflt: number, quickDflt = dflt) => {
    const v = values[name];
    if (v === undefined) return quick ? quickDflt : dflt;
    if (!/^[1-9]\d*$/.test(v)) usage(`--${name} must be a positive whole number, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const list = <T extends string>(name: string, allowed: readonly T[], dflt: readonly T[]): T[] => {
    if (values[name] === undefined) return [...dflt];
    const xs = values[name].split(',').map((x) => x.trim());
    const bad = xs.filter((x) => !(allowed as readonly string[]).includes(x));
    if (bad.length) usage(`--${name}: unknown ${bad.join(', ')} (choose from ${allowed.join(', ')})`);
    return allowed.filter((x) => xs.includes(x));
  };
  const only = list('only', WORKLOADS, WORKLOADS);
  // (d) is read after (c): asking for one runs both.
  if (only.includes('d') && !only.includes('c')) only.splice(only.indexOf('d'), 0, 'c');
  const configs = list('configs', CONFIG_NAMES, DEFAULT_CONFIGS);
  // Every ratio is to the unaudited run of the same repetition.
  if (!configs.includes('none')) configs.unshift('none');
  const mb = int('toast-mb', 5);
  return {
    quick,
    keep: flags.has('keep'),
    pgtrailContext: flags.has('pgtrail-context'),
    reps: int('reps', 3, 1),
    duration: int('duration', 20, 3),
    rows: int('rows', 200_000, 20_000),
    scale: int('scale', 10),
    clients: 4,
    threads: 2,
    parents: int('parents', 10_000, 1_000),
    childrenPerParent: 5,
    toastRows: int('toast-rows', 100, 10),
    toastBytes: mb * 1024 * 1024,
    maintainIntervalS: int('maintain-interval', 1),
    only,
    configs,
    peerPaths: { audit_trigger: values['audit-trigger-sql'] ?? process.env.AUDIT_TRIGGER_SQL, supa_audit: values['supa-audit-sql'] ?? process.env.SUPA_AUDIT_SQL },
    peerCommits: { audit_trigger: values['audit-trigger-commit'] ?? PEER_SOURCES.audit_trigger.commit, supa_audit: values['supa-audit-commit'] ?? PEER_SOURCES.supa_audit.commit },
    out: values.out ?? join(here, 'results', 'peers.json'),
  };
}

const O = parseOptions();
const log = (s = '') => console.log(s);
const step = (s: string) => console.log(`  · ${s}`);

// Every session carries an actor, so the reference triggers record a real value (as run.sh).
// pgtrail reads its own context and, by default, falls back to the database role.
const PGTRAIL_CONTEXT = '{"actor_type":"user","actor_id":"bench-user","actor_name":"bench-user"}';
process.env.PGOPTIONS = [process.env.PGOPTIONS, '-c audit.actor=bench-user', O.pgtrailContext ? `-c pgtrail.context=${PGTRAIL_CONTEXT}` : '']
  .filter(Boolean).join(' ');

// ---------------------------------------------------------------- peers and configs
const peerFiles: Partial<Record<PeerName, PeerFile>> = {};
const skipped: Record<string, string> = {};
for (const name of Object.keys(PEER_SOURCES) as PeerName[]) {
  if (!O.configs.includes(name)) continue;
  const p = loadPeer(name, O.peerPaths[name], O.peerCommits[name]);
  if ('skipped' in p) skipped[name] = p.skipped;
  else peerFiles[name] = p;
}
const CONFIGS = makeConfigs(peerFiles);
const active = O.configs.filter((n) => CONFIGS[n] && !skipped[n]);
const cfg = (n: ConfigName) => CONFIGS[n] as Config;

// ---------------------------------------------------------------- databases
let cluster: Cluster;
const dbUrl = (db: string) => urlFor(cluster.url, db);
async function admin(sql: string): Promise<void> {
  const c = await connect(cluster.url);
  try { await c.query(sql); } finally { await c.end(); }
}
const dropDb = (db: string) => admin(`DROP DATABASE IF EXISTS ${quoteIdent(db)} WITH (FORCE)`);
async function createDb(db: string, template?: string): Promise<void> {
  await dropDb(db);
  await admin(`CREATE DATABASE ${quoteIdent(db)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`);
}
const PGBENCH = () => join(cluster.bin, 'pgbench');

async function eventCount(c: import('pg').Client, config: Config): Promise<number> {
  if (!config.eventsTable) return 0;
  return Number((await c.query(`SELECT count(*)::bigint AS n FROM ${config.eventsTable}`)).rows[0].n);
}

/** pgtrail's deferred work once, timed (0 for tools that defer nothing). */
async function deferredOnce(config: Config, url: string): Promise<number> {
  if (!config.deferred) return 0;
  const t0 = performance.now();
  await pgtrailDeferredWork(url);
  if (config.batchWork) {
    const c = await connect(url);
    try { await config.batchWork(c); } finally { await c.end(); }
  }
  return performance.now() - t0;
}

// ---------------------------------------------------------------- workloads
interface Ctx { c: import('pg').Client; url: string; config: Config }
interface Workload {
  title: string;
  tables: string[];
  /** Builds the unaudited base database the runs are cloned from. */
  prepare(url: string): Promise<void>;
  measure(ctx: Ctx): Promise<Record<string, number>>;
}

async function withClient<T>(url: string, fn: (c: import('pg').Client) => Promise<T>): Promise<T> {
  const c = await connect(url);
  try { return await fn(c); } finally { await c.end(); }
}

/** pgbench for `duration` seconds; pgtrail's deferred work runs beside it on its schedule. */
async function tps(ctx: Ctx, args: string[], eventsPerTxn: number): Promise<Record<string, number>> {
  const loop = ctx.config.deferred ? everyInterval(() => pgtrailDeferredWork(ctx.url), O.maintainIntervalS) : null;
  let out: { stdout: string };
  let d: DeferredStats | undefined;
  try {
    out = await runPgbench(ctx.url, [...args, '-c', String(O.clients), '-j', String(O.threads), '-T', String(O.duration)], PGBENCH());
  } finally {
    d = await loop?.stop();
  }
  const r = parsePgbench(out.stdout);
  const events = await eventCount(ctx.c, ctx.config);
  // A TPC-B transaction whose random delta is 0 updates three rows without changing them: pgtrail
  // and the classic audit-trigger record no event for an update that changes nothing.
  const history = await ctx.c.query(`SELECT to_regclass('pgbench_history') IS NOT NULL AS tpcb`);
  const noops = history.rows[0].tpcb ? Number((await ctx.c.query('SELECT count(*) AS n FROM pgbench_history WHERE delta = 0')).rows[0].n) : 0;
  return {
    tps: r.tps, latencyMs: r.latencyMs, transactions: r.transactions, failed: r.failed, events,
    eventsExpected: ctx.config.eventsTable ? (r.transactions - noops) * eventsPerTxn : 0,
    deferredRuns: d?.runs ?? 0, deferredMs: d?.totalMs ?? 0, deferredMaxMs: d?.maxMs ?? 0,
  };
}

let scriptDir = '';
const W: Record<'a' | 'b' | 'c' | 'e' | 'f', Workload> = {
  a: {
    title: `(a) TPC-B-like, pgbench -s ${O.scale}`,
    // pgbench_history has no primary key (supa_audit refuses it) and run.sh leaves it unaudited.
    tables: ['pgbench_accounts', 'pgbench_tellers', 'pgbench_branches'],
    async prepare(url) {
      await runPgbench(url, ['-i', '-s', String(O.scale), '-q'], PGBENCH());
      await withClient(url, async (c) => { await c.query('VACUUM ANALYZE'); });
    },
    // Without -n pgbench vacuums branches and tellers and truncates history first, as in run.sh.
    measure: (ctx) => tps(ctx, [], 3),
  },
  b: {
    title: '(b) one-row INSERT per transaction, 10 columns',
    tables: ['bench_t'],
    prepare: (url) => withClient(url, async (c) => { await c.query(BENCH_T_DDL); }),
    measure: (ctx) => tps(ctx, ['-n', '-f', join(scriptDir, 'insert_one.pgbench')], 1),
  },
  c: {
    title: `(c) bulk: ${O.rows}-row INSERT, UPDATE, DELETE; (d) audit bytes per event`,
    tables: ['bench_t'],
    prepare: (url) => withClient(url, async (c) => { await c.query(BENCH_T_DDL); }),
    async measure({ c, url, config }) {
      const before = config.schema ? await schemaStorage(c, config.schema) : null;
      const insertMs = await timed(c, BULK.insert, [O.rows]);
      const updateMs = await timed(c, BULK.update);
      const deleteMs = await timed(c, BULK.delete);
      const deferredMs = await deferredOnce(config, url);
      const events = await eventCount(c, config);
      const r: Record<string, number> = { insertMs, updateMs, deleteMs, deferredMs, totalMs: insertMs + updateMs + deleteMs + deferredMs,
        events, eventsExpected: config.eventsTable ? 3 * O.rows : 0 };
      if (before && config.schema) {
        const after = await schemaStorage(c, config.schema);
        const grew = (k: keyof SchemaStorage) => (after[k] - before[k]) / events;
        Object.assign(r, { bytesPerEvent: grew('totalBytes'), heapPerEvent: grew('heapBytes'), toastPerEvent: grew('toastBytes'), indexPerEvent: grew('indexBytes') });
      }
      return r;
    },
  },
  e: {
    title: `(e) FK cascade: DELETE FROM parents, ${O.parents} parents × ${O.childrenPerParent} children`,
    tables: ['parents', 'children'],
    prepare: (url) => withClient(url, async (c) => {
      await c.query(FK_DDL);
      await c.query(FK_FILL[0], [O.parents]);
      await c.query(FK_FILL[1], [O.parents, O.childrenPerParent]);
    }),
    async measure({ c, url, config }) {
      const deleteMs = await timed(c, FK_DELETE);
      const deferredMs = await deferredOnce(config, url);
      return { deleteMs, deferredMs, totalMs: deleteMs + deferredMs, events: await eventCount(c, config),
        eventsExpected: config.eventsTable ? O.parents * (1 + O.childrenPerParent) : 0 };
    },
  },
  f: {
    title: `(f) TOAST: UPDATE big SET n = n + 1, ${O.toastRows} rows × ${O.toastBytes / 1048576} MB (STORAGE EXTERNAL)`,
    tables: ['big'],
    prepare: (url) => withClient(url, async (c) => {
      await c.query(TOAST_DDL);
      await c.query(TOAST_FILL, [O.toastRows, O.toastBytes]);
    }),
    async measure({ c, url, config }) {
      const updateMs = await timed(c, TOAST_UPDATE);
      const deferredMs = await deferredOnce(config, url);
      return { updateMs, deferredMs, totalMs: updateMs + deferredMs, events: await eventCount(c, config),
        eventsExpected: config.eventsTable ? O.toastRows : 0 };
    },
  },
};

/** Repetition r starts at config r mod n, so no config always runs first (or right after another). */
const rotated = <T>(xs: T[], r: number): T[] => [...xs.slice(r % xs.length), ...xs.slice(0, r % xs.length)];

const warnings: string[] = [];

async function runWorkload(key: keyof typeof W): Promise<Record<string, Run[]>> {
  const w = W[key];
  log(`\n${w.title}`);
  const base = `peers_${key}_base`;
  await createDb(base);
  const t0 = performance.now();
  await w.prepare(dbUrl(base));
  step(`base database ready (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const runs: Record<string, Run[]> = Object.fromEntries(active.map((n) => [n, []]));
  try {
    for (let rep = 0; rep < O.reps; rep++) {
      for (const [order, name] of rotated(active, rep).entries()) {
        const db = `peers_${key}_${name}`;
        await createDb(db, base);
        const url = dbUrl(db);
        const c = await connect(url);
        try {
          await cfg(name).install(c, w.tables);
          await c.query('VACUUM ANALYZE');
          await c.query('CHECKPOINT');
          const r = await w.measure({ c, url, config: cfg(name) });
          runs[name].push({ rep, order, ...r });
          // pgbench does not count the transactions still running when -T ends, so (a)/(b) may see more.
          const short = key === 'a' || key === 'b' ? r.events < r.eventsExpected : r.events !== r.eventsExpected;
          if (short) {
            warnings.push(`${key} ${name} rep ${rep + 1}: ${r.events} events recorded, ${r.eventsExpected} expected`);
          }
          step(`rep ${rep + 1} ${name.padEnd(13)} ${describe(r)}`);
        } finally {
          await c.end();
          await dropDb(db);
        }
      }
    }
  } finally {
    await dropDb(base);
  }
  return runs;
}

function describe(r: Record<string, number>): string {
  const parts: string[] = [];
  if ('tps' in r) parts.push(`tps ${r.tps.toFixed(1)}`, `latency ${r.latencyMs.toFixed(3)} ms`, `events/txn ${(r.events / r.transactions).toFixed(2)}`);
  if ('insertMs' in r) parts.push(`insert ${r.insertMs.toFixed(0)} ms`, `update ${r.updateMs.toFixed(0)} ms`, `delete ${r.deleteMs.toFixed(0)} ms`);
  if ('deleteMs' in r && !('insertMs' in r)) parts.push(`delete ${r.deleteMs.toFixed(1)} ms`);
  if ('updateMs' in r && !('insertMs' in r)) parts.push(`update ${r.updateMs.toFixed(1)} ms`);
  if (r.deferredRuns) parts.push(`deferred ${r.deferredRuns}× ${r.deferredMs.toFixed(0)} ms`);
  else if (r.deferredMs) parts.push(`deferred ${r.deferredMs.toFixed(0)} ms`);
  if ('bytesPerEvent' in r) parts.push(`${r.bytesPerEvent.toFixed(0)} B/event`);
  if (r.eventsExpected && !('tps' in r)) parts.push(`${r.events} events`);
  return parts.join(', ');
}

// ---------------------------------------------------------------- report
const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const millis = (ms: number) => `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
const ROWS: Row[] = [
  { key: 'a', workload: 'a', metric: 'tps', kind: 'tps-ratio', unit: (x) => `${x.toFixed(0)} tps`,
    label: `(a) TPC-B-like \`pgbench -s ${O.scale} -c ${O.clients} -j ${O.threads} -T ${O.duration}\`, tps` },
  { key: 'b', workload: 'b', metric: 'tps', kind: 'tps-ratio', unit: (x) => `${x.toFixed(0)} tps`,
    label: `(b) one-row INSERT per transaction, 10 columns, \`-c ${O.clients} -j ${O.threads} -T ${O.duration}\`, tps` },
  { key: 'c', workload: 'c', metric: 'totalMs', kind: 'time-ratio', unit: seconds,
    label: `(c) ${O.rows / 1000}k-row INSERT + UPDATE + DELETE (+ deferred work), time` },
  { key: 'c_deferred', workload: 'c', metric: 'deferredMs', kind: 'absolute', unit: seconds, blank: (n) => !CONFIGS[n as ConfigName]?.deferred,
    label: '(c) of which deferred work, run once after the statements' },
  { key: 'd', workload: 'c', metric: 'bytesPerEvent', kind: 'absolute', unit: (x) => x.toFixed(0), blank: (n) => n === 'none',
    label: '(d) audit bytes per event (heap + TOAST + indexes)' },
  { key: 'e', workload: 'e', metric: 'totalMs', kind: 'time-ratio', unit: millis,
    label: `(e) FK cascade: \`DELETE FROM parents\`, ${O.parents} × ${O.childrenPerParent} children, time` },
  { key: 'f', workload: 'f', metric: 'totalMs', kind: 'time-ratio', unit: millis,
    label: `(f) TOAST: \`UPDATE big SET n = n + 1\`, ${O.toastRows} rows × ${O.toastBytes / 1048576} MB, time` },
];
const ABSOLUTE: Row[] = [
  ['a', 'tps', 'a tps'], ['b', 'tps', 'b tps'], ['c', 'insertMs', 'c INSERT ms'], ['c', 'updateMs', 'c UPDATE ms'],
  ['c', 'deleteMs', 'c DELETE ms'], ['c', 'deferredMs', 'c deferred ms'], ['c', 'totalMs', 'c total ms'],
  ['c', 'heapPerEvent', 'd heap B/event'], ['c', 'toastPerEvent', 'd TOAST B/event'], ['c', 'indexPerEvent', 'd index B/event'],
  ['e', 'totalMs', 'e ms'], ['f', 'totalMs', 'f ms'],
].map(([workload, metric, label]) => ({ key: `${workload}_${metric}`, workload, metric, label, kind: 'absolute' as const, unit: (x: number) => x.toFixed(0) }));

function summarize(runs: Runs) {
  const out: Record<string, Record<string, unknown>> = {};
  for (const row of ROWS) {
    const w = runs[row.workload];
    if (!w) continue;
    out[row.key] = Object.fromEntries(active.map((n) => [n, row.blank?.(n) ? null : {
      value: spread(w[n].map((r) => r[row.metric])),
      ratio: row.kind === 'absolute' || n === 'none' ? null : spread(ratios(w, n, row.metric)),
    }]));
  }
  return out;
}

function markdown(runs: Runs, info: Record<string, string>): string {
  const peers = Object.entries(PEER_SOURCES).map(([n, s]) => {
    const f = peerFiles[n as PeerName];
    return f ? `\`${n}\`: ${s.repository} at ${f.commit}, \`${f.file}\` (sha256 ${f.sha256.slice(0, 16)}…)`
      : `\`${n}\`: ${skipped[n] ? `skipped — ${skipped[n]}` : 'not selected'}`;
  });
  return [
    `# bench:peers — ${info.version}`,
    '',
    `\`${COMMAND}\``,
    '',
    `Medians of ${O.reps} repetition(s) with [min–max]. Ratios are config / none in the same repetition (tps: higher is better; time: lower is better); the \`none\` column gives absolute values.`,
    '',
    markdownTable(ROWS, runs, O.configs, new Set(Object.keys(skipped))),
    '',
    'Configs: ' + active.map((n) => `\`${n}\` ${LABELS[n]}`).join('; ') + '.',
    '',
    'Peers: ' + peers.join('; ') + '.',
    '',
    `Server: ${Object.entries(info).filter(([k]) => k !== 'version').map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    '## Absolute values',
    '',
    markdownTable(ABSOLUTE, runs, O.configs, new Set(Object.keys(skipped))),
    ...(warnings.length ? ['', '## Warnings', '', ...warnings.map((w) => `- ${w}`)] : []),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  const started = Date.now();
  log(`pgtrail side-by-side write benchmark — ${COMMAND}`);
  for (const [n, why] of Object.entries(skipped)) log(`skip ${n}: ${why}`);
  for (const [n, f] of Object.entries(peerFiles)) log(`peer ${n}: ${f.repository} at ${f.commit}, ${f.file} (sha256 ${f.sha256})`);
  log(`configs: ${active.join(', ')}; workloads: ${O.only.join(', ')}`);
  cluster = await startCluster();
  const stop = async () => { await cluster.stop(O.keep); };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { void stop().finally(() => process.exit(130)); });
  scriptDir = await mkdtemp(join(tmpdir(), 'pgtrail-peers-scripts-'));
  await writeFile(join(scriptDir, 'insert_one.pgbench'), INSERT_ONE_PGBENCH);
  try {
    const info = await withClient(cluster.url, async (c) => (await c.query(`
      SELECT version() AS version, current_setting('server_version') AS server_version,
             current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit,
             current_setting('full_page_writes') AS full_page_writes, current_setting('shared_buffers') AS shared_buffers,
             current_setting('max_wal_size') AS max_wal_size, current_setting('checkpoint_timeout') AS checkpoint_timeout,
             current_setting('work_mem') AS work_mem, current_setting('wal_level') AS wal_level,
             current_setting('max_connections') AS max_connections`)).rows[0] as Record<string, string>);
    const pgbench = (await runPgbench(cluster.url, ['--version'], PGBENCH())).stdout.trim();
    log(`server: ${info.version}`);
    log(`settings: ${Object.entries(info).filter(([k]) => !['version', 'server_version'].includes(k)).map(([k, v]) => `${k}=${v}`).join(' ')}`);

    const runs: Runs = {};
    for (const key of ['a', 'b', 'c', 'e', 'f'] as const) if (O.only.includes(key)) runs[key] = await runWorkload(key);

    const { version: _v, ...settings } = info;
    const md = markdown(runs, { version: `PostgreSQL ${info.server_version}`, ...settings, pgbench, cpus: String(cpus().length) });
    const result = {
      command: COMMAND,
      startedAt: new Date(started).toISOString(),
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
      server: { ...info, pgbench, requested: CLUSTER_SETTINGS },
      host: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
      options: { ...O, peerPaths: undefined, out: undefined },
      configs: active,
      peers: Object.fromEntries(Object.keys(PEER_SOURCES).filter((n) => O.configs.includes(n as PeerName)).map((n) => {
        const f = peerFiles[n as PeerName];
        return [n, f ? { repository: f.repository, commit: f.commit, file: f.file, sha256: f.sha256 } : { skipped: skipped[n] }];
      })),
      summary: summarize(runs),
      runs,
      warnings,
    };
    log('\n' + md);
    const mdOut = O.out.replace(/\.json$/, '') + '.md';
    await mkdir(dirname(O.out), { recursive: true });
    await writeFile(O.out, JSON.stringify(result, null, 2) + '\n');
    await writeFile(mdOut, md);
    log(`JSON: ${O.out}\nmarkdown: ${mdOut}\nelapsed ${result.elapsedSeconds} s`);
  } finally {
    await rm(scriptDir, { recursive: true, force: true });
    await stop();
    if (O.keep) log(`cluster folder kept: ${cluster.dir}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
