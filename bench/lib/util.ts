// Small helpers shared by the write benchmark: pgbench runner, timing, statistics, storage sizes.
import { spawn } from 'node:child_process';
import pg from 'pg';

export const PGBENCH = process.env.PGBENCH ?? '/usr/bin/pgbench';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function urlFor(base: string, database: string): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, application_name: 'pgtrail-bench' });
  await c.connect();
  return c;
}

/** Wall-clock milliseconds of one statement, measured at the client (one round trip). */
export async function timed(c: pg.Client, sql: string, params?: unknown[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  await c.query(sql, params);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export interface PgbenchResult {
  tps: number;
  latencyMs: number;
  transactions: number;
  failed: number;
}

export function pgbenchEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  return {
    ...process.env,
    PGHOST: u.hostname,
    PGPORT: u.port,
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: u.pathname.slice(1),
  };
}

export function runPgbench(url: string, args: string[], bin = PGBENCH): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: pgbenchEnv(url), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`pgbench ${args.join(' ')} exited with ${code}\n${stderr}\n${stdout}`));
    });
  });
}

export function parsePgbench(stdout: string): PgbenchResult {
  const num = (re: RegExp) => {
    const m = stdout.match(re);
    return m ? Number(m[1]) : NaN;
  };
  const r = {
    tps: num(/tps = ([\d.]+) \(without initial connection time\)/),
    latencyMs: num(/latency average = ([\d.]+) ms/),
    transactions: num(/number of transactions actually processed: (\d+)/),
    failed: num(/number of failed transactions: (\d+)/) || 0,
  };
  if (!Number.isFinite(r.tps)) throw new Error(`could not parse pgbench output:\n${stdout}`);
  return r;
}

export interface Storage {
  events: number;
  heapBytes: number;
  toastBytes: number;
  indexBytes: number;
  totalBytes: number;
  /** Per index of audit.events (summed over partitions). */
  indexes: Record<string, number>;
}

/** Sizes of audit.events summed over every partition (incl. default): heap (+fsm/vm), TOAST (+its index), indexes. */
export async function auditStorage(c: pg.Client): Promise<Storage> {
  const { rows: [t] } = await c.query(`
    SELECT count(*)::bigint AS parts,
           sum(pg_table_size(p.oid) - coalesce(pg_total_relation_size(NULLIF(p.reltoastrelid, 0)), 0))::bigint AS heap,
           sum(coalesce(pg_total_relation_size(NULLIF(p.reltoastrelid, 0)), 0))::bigint AS toast,
           sum(pg_indexes_size(p.oid))::bigint AS idx,
           sum(pg_total_relation_size(p.oid))::bigint AS total
      FROM pg_inherits AS i JOIN pg_class AS p ON p.oid = i.inhrelid
     WHERE i.inhparent = 'audit.events'::regclass`);
  const { rows: idx } = await c.query(`
    SELECT parent.relname AS name, sum(pg_relation_size(i.inhrelid))::bigint AS bytes
      FROM pg_index AS x
      JOIN pg_class AS parent ON parent.oid = x.indexrelid
      JOIN pg_inherits AS i ON i.inhparent = parent.oid
     WHERE x.indrelid = 'audit.events'::regclass
     GROUP BY parent.relname ORDER BY 2 DESC`);
  const { rows: [n] } = await c.query(`SELECT count(*)::bigint AS n FROM audit.events`);
  return {
    events: Number(n.n),
    heapBytes: Number(t.heap),
    toastBytes: Number(t.toast),
    indexBytes: Number(t.idx),
    totalBytes: Number(t.total),
    indexes: Object.fromEntries(idx.map((r) => [r.name, Number(r.bytes)])),
  };
}

export type SchemaStorage = Omit<Storage, 'events' | 'indexes'>;

/**
 * Sizes of every table in one schema (partitions are tables of their own; partitioned parents hold
 * nothing): heap (+fsm/vm), TOAST (+its index), indexes. For tools whose storage is not audit.events.
 */
export async function schemaStorage(c: pg.Client, schema: string): Promise<SchemaStorage> {
  const { rows: [t] } = await c.query(`
    SELECT coalesce(sum(pg_table_size(p.oid) - coalesce(pg_total_relation_size(NULLIF(p.reltoastrelid, 0)), 0)), 0)::bigint AS heap,
           coalesce(sum(coalesce(pg_total_relation_size(NULLIF(p.reltoastrelid, 0)), 0)), 0)::bigint AS toast,
           coalesce(sum(pg_indexes_size(p.oid)), 0)::bigint AS idx,
           coalesce(sum(pg_total_relation_size(p.oid)), 0)::bigint AS total
      FROM pg_class AS p
     WHERE p.relnamespace = $1::regnamespace AND p.relkind IN ('r', 'm')`, [schema]);
  return { heapBytes: Number(t.heap), toastBytes: Number(t.toast), indexBytes: Number(t.idx), totalBytes: Number(t.total) };
}

/** Average stored bytes per column, by action (what the heap bytes are made of). */
export async function columnSizes(c: pg.Client): Promise<Record<string, Record<string, number>>> {
  const cols = ['id', 'occurred_at', 'tx_id', 'action', 'target_type', 'target_id', 'actor_type', 'actor_id', 'actor_name', 'ip',
    'user_agent', 'request_id', 'db_user', 'app_name', 'old_data', 'new_data', 'changed_fields', 'metadata'];
  const { rows } = await c.query(`
    SELECT e.action AS act, round(avg(pg_column_size(e.*)), 1) AS "(row)", ${cols.map((x) => `round(avg(coalesce(pg_column_size(e.${x}), 0)), 1) AS ${x}`).join(', ')}
      FROM audit.events AS e GROUP BY e.action ORDER BY e.action`);
  return Object.fromEntries(rows.map((r) => [r.act, Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'act').map(([k, v]) => [k, Number(v)]))]));
}

export const fmt = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
export const pad = (s: string, w: number) => (s.length >= w ? s : s + ' '.repeat(w - s.length));
export const lpad = (s: string, w: number) => (s.length >= w ? s : ' '.repeat(w - s.length) + s);
