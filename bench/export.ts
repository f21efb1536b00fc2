// Export benchmark (not a test): memory and throughput of the streamed export at 10 million events.
//   1. A throwaway embedded PostgreSQL 17; pgtrail migrated; N events generated with one
//      INSERT … SELECT generate_series per month straight into audit.events (as the owner),
//      realistic sizes: a contact row as old_data and new_data (~250 B each), user agent, request id,
//      spread over 4 monthly partitions.
//   2. The API server (bench/lib/export-server.ts) in a child process; an API token.
//   3. In the same run, alternately (CSV: psql, HTTP, HTTP, psql; JSON Lines: HTTP, psql): `psql -c "\copy (<the export's
//      SELECT>) to '/dev/null' with (format csv, header)"` and GET /api/v1/events.csv over loopback,
//      body counted and dropped; then the same for JSON Lines. rows/s per side over all its runs, and the ratio.
//   4. The server's peak RSS (VmHWM from /proc/<pid>/status, sampled every 100 ms along with VmRSS).
//
//   npx tsx bench/export.ts                      # 10M events (~13 min on 2 cores); writes results/export.json
//   npx tsx bench/export.ts --rows=500000        # quick run; writes results/export.quick.json
// Flags: --rows=N (10000000)  --rounds=N (repeats of step 3, default 1)  --out=FILE
//        --skip-jsonl   PSQL=/path/to/psql (default /usr/bin/psql)
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbedded } from '../src/embedded/server.ts';
import { buildCopySql, type ExportFormat } from '../src/export/copy-sql.ts';
import { migrate } from '../src/install/migrate.ts';
import { createToken } from '../src/accounts/tokens.ts';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : dflt;
};
const ROWS = opt('rows', 10_000_000);
const ROUNDS = opt('rounds', 1);
const quick = ROWS < 10_000_000;
const out = argv.find((x) => x.startsWith('--out='))?.slice(6) ?? join(here, 'results', quick ? 'export.quick.json' : 'export.json');
const PSQL = process.env.PSQL ?? '/usr/bin/psql';

const log = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);

async function generate(db: pg.Client, rows: number): Promise<void> {
  // Four monthly partitions, oldest first, ids in time order (as recording would give them).
  const months = 4;
  const start = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - (months - 1), 1));
  for (let m = 0; m < months; m++) {
    const from = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + m, 1));
    await db.query('SELECT audit.ensure_partition($1)', [from]);
  }
  const perMonth = Math.ceil(rows / months);
  for (let m = 0; m < months; m++) {
    const first = m * perMonth + 1;
    const last = Math.min(rows, (m + 1) * perMonth);
    const from = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + m, 1));
    const t0 = Date.now();
    await db.query(`
      INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name,
                                ip, user_agent, request_id, db_user, app_name, old_data, new_data, changed_fields, metadata)
      SELECT $3::timestamptz + (g - $1) * interval '200 ms', 1000000 + g / 3,
             (ARRAY['update', 'update', 'insert', 'delete', 'auth.sign_in'])[1 + g % 5], 'public.contacts', (g % 500000)::text,
             'user', (g % 1000)::text, 'person' || (g % 1000) || '@example.com',
             ('10.' || (g % 200) || '.' || (g % 250) || '.' || (g % 253 + 1))::inet,
             'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
             md5(g::text), 'app', 'crm-web',
             jsonb_build_object('id', g % 500000, 'email', 'contact' || g || '@example.org', 'name', 'Contact ' || g,
                                'phone', '+44 20 7946 ' || lpad((g % 10000)::text, 4, '0'), 'status', 'active', 'list_id', g % 300,
                                'tags', jsonb_build_array('newsletter', 'customer'), 'updated_at', '2026-11-20T10:00:00Z'),
             jsonb_build_object('id', g % 500000, 'email', 'contact' || g || '@example.com', 'name', 'Contact ' || g,
                                'phone', '+44 20 7946 ' || lpad((g % 10000)::text, 4, '0'), 'status', 'active', 'list_id', g % 300,
                                'tags', jsonb_build_array('newsletter', 'customer'), 'updated_at', '2026-11-24T10:00:00Z'),
             ARRAY['email', 'updated_at'], jsonb_build_object('source', 'bench')
        FROM generate_series($1::bigint, $2::bigint) g`, [first, last, from]);
    log(`generated ${last.toLocaleString()} / ${rows.toLocaleString()} (${((Date.now() - t0) / 1000).toFixed(0)} s for this month)`);
  }
  await db.query('VACUUM (ANALYZE) audit.events');
}

function startServer(url: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'lib', 'export-server.ts')], {
    env: { ...process.env, BENCH_DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (d) => {
      buffer += d;
      const m = /port (\d+)/.exec(buffer);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`export server exited with ${code}`)));
  });
}

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

interface Run { seconds: number; bytes: number; rowsPerSecond: number; megabytesPerSecond: number; loadavg1: number }

function httpExport(port: number, token: string, format: ExportFormat, rows: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = request({ host: '127.0.0.1', port, path: `/api/v1/events.${format}`, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => {
        if (!res.complete) return reject(new Error('incomplete response'));
        resolve(run(t0, bytes, rows));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** psql's \copy of the same SELECT to /dev/null (psql is the client, like the HTTP server is). */
function psqlExport(url: string, format: ExportFormat, rows: number): Promise<Run> {
  const copy = buildCopySql({}, { format }).replace(/\s+/g, ' ');
  const command = copy.replace(/^COPY /, '\\copy ').replace(' TO STDOUT WITH ', " TO '/dev/null' WITH ");
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(PSQL, ['-X', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`psql exited with ${code}: ${stderr}`));
      const m = /COPY (\d+)/.exec(stdout);
      // The HTTP exports' own audit events may still be landing: a couple of rows either way.
      if (!m || Math.abs(Number(m[1]) - rows) > 4) return reject(new Error(`psql copied ${m?.[1]} rows, expected ${rows}`));
      resolve(run(t0, NaN, Number(m[1])));
    });
  });
}

function run(t0: bigint, bytes: number, rows: number): Run {
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // loadavg1: the machine's 1-minute load when the run ended (2 = both cores busy), to spot contention.
  return { seconds: round(seconds), bytes, rowsPerSecond: Math.round(rows / seconds), megabytesPerSecond: round(bytes / seconds / 1e6), loadavg1: round(loadavg()[0]) };
}
const round = (x: number) => Math.round(x * 100) / 100;
const mb = (x: number) => round(x / 1024 / 1024);

async function main(): Promise<void> {
  const started = Date.now();
  const server = await startEmbedded();
  const dbUrl = new URL(server.url);
  dbUrl.pathname = '/bench_export';
  let http: ChildProcess | undefined;
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE DATABASE bench_export');
    await admin.end();
    const db = new pg.Client({ connectionString: dbUrl.toString() });
    await db.connect();
    await migrate(db);
    const pgVersion = (await db.query('SHOW server_version')).rows[0].server_version;
    log(`generating ${ROWS.toLocaleString()} events`);
    const g0 = Date.now();
    await generate(db, ROWS);
    const generateSeconds = (Date.now() - g0) / 1000;
    const rows = (await db.query('SELECT count(*)::bigint AS n FROM audit.events')).rows[0].n;
    const tableBytes = (await db.query(`SELECT sum(pg_total_relation_size(inhrelid))::bigint AS b FROM pg_inherits WHERE inhparent = 'audit.events'::regclass`)).rows[0].b;
    const token = (await createToken(db, 'bench', 'auditor')).token;
    await db.end();
    const total = Number(rows);
    log(`${total.toLocaleString()} events, ${mb(Number(tableBytes))} MB with indexes; generated in ${generateSeconds.toFixed(0)} s`);

    const started2 = await startServer(dbUrl.toString());
    http = started2.child;
    const pid = http.pid!;
    const idle = memory(pid);
    let peakRss = idle.rss;
    const sampler = setInterval(() => {
      try {
        peakRss = Math.max(peakRss, memory(pid).rss);
      } catch { /* exited */ }
    }, 100);

    // Each export also records its own two audit events, so later runs see a couple more rows;
    // the HTTP row counts below come from the server's audit.export_completed, psql's from COPY n.
    const results: Record<string, { psql: Run[]; http: Run[] }> = {};
    const formats: ExportFormat[] = argv.includes('--skip-jsonl') ? ['csv'] : ['csv', 'jsonl'];
    let exportRows = total;
    for (const format of formats) {
      results[format] = { psql: [], http: [] };
      for (let r = 0; r < ROUNDS; r++) {
        // CSV (the target) runs ABBA; JSON Lines one pair, to keep a 10M run near 13 minutes.
        for (const side of format === 'csv' ? (['psql', 'http', 'http', 'psql'] as const) : (['http', 'psql'] as const)) {
          const result = side === 'psql' ? await psqlExport(dbUrl.toString(), format, exportRows) : await httpExport(started2.port, token, format, exportRows);
          if (side === 'http') exportRows += 1; // the export's own audit.export event is in the next snapshot
          if (side === 'http') exportRows += 1; // …and its audit.export_completed
          results[format][side].push(result);
          log(`${format} ${side}: ${result.seconds} s, ${result.rowsPerSecond.toLocaleString()} rows/s${side === 'http' ? `, ${mb(result.bytes)} MB` : ''}; server RSS now ${mb(memory(pid).rss)} MB`);
        }
      }
    }
    clearInterval(sampler);
    const final = memory(pid);
    // This machine is shared (other jobs may run during a long benchmark), so the ratio is taken
    // over all runs of each side (total rows / total seconds), which ABBA ordering balances
    // against load that changes during the run; best-of and per-run figures are kept alongside.
    const best = (runs: Run[]) => runs.reduce((a, b) => (a.rowsPerSecond >= b.rowsPerSecond ? a : b));
    const rate = (runs: Run[]) => Math.round(runs.reduce((n, x) => n + x.rowsPerSecond * x.seconds, 0) / runs.reduce((n, x) => n + x.seconds, 0));
    const summary = Object.fromEntries(Object.entries(results).map(([format, r]) => [format, {
      http_rows_per_s: rate(r.http),
      psql_rows_per_s: rate(r.psql),
      ratio: round(rate(r.http) / rate(r.psql)),
      ratio_best_of_each: round(best(r.http).rowsPerSecond / best(r.psql).rowsPerSecond),
      http_mb: mb(best(r.http).bytes),
      runs: r,
    }]));
    const report = {
      benchmark: 'export',
      command: `npx tsx bench/export.ts${argv.length ? ' ' + argv.join(' ') : ''}`,
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, postgres: pgVersion, psql: PSQL },
      events: total,
      table_mb_with_indexes: mb(Number(tableBytes)),
      generate_seconds: Math.round(generateSeconds),
      server: {
        rss_idle_mb: mb(idle.rss),
        rss_peak_sampled_mb: mb(peakRss),
        vmhwm_mb: mb(final.hwm),
        target_mb: 150,
      },
      ...summary,
      total_seconds: Math.round((Date.now() - started) / 1000),
    };
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify(report, null, 2) + '\n');
    log(`server peak RSS (VmHWM) ${report.server.vmhwm_mb} MB; ` +
      Object.entries(summary).map(([f, s]) => `${f}: HTTP ${s.http_rows_per_s.toLocaleString()} rows/s vs psql ${s.psql_rows_per_s.toLocaleString()} → ${s.ratio}`).join('; '));
    log(`wrote ${out}`);
  } finally {
    http?.kill('SIGTERM');
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
