// --profile: where the audited bulk UPDATE spends its time, and what the audit storage is made of.
//  1. auto_explain (log_nested_statements, log_analyze, log_level=notice so plans arrive as client
//     notices) on the real audited UPDATE: the UPDATE plan with trigger time + the trigger's INSERT … SELECT plan.
//  2. The trigger's UPDATE statement, cut out of v1's rendered SQL, replayed over copies of the
//     transition tables (p_old / p_new): pairing only, + changed_fields, + jsonb (full SELECT), INSERT into
//     a plain copy of audit.events without indexes, with each index alone, with all, and into audit.events.
//  3. Storage: index sizes of alternatives, inline compression of old_data/new_data.
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { introspect } from '../../src/generator/introspect.ts';
import { renderAudit } from '../../src/generator/render.ts';
import { INSERT_ROWS, UPDATE_ROWS, DELETE_ROWS } from './variants.ts';
import { connect, median, fmt, timed } from './util.ts';

interface Ctx {
  url(db: string): string;
  createDb(name: string, template?: string): Promise<void>;
  dropDb(name: string): Promise<unknown>;
  template: string;
  rows: number;
  enable(c: pg.Client, side: 'v1'): Promise<void>;
  outDir: string;
}

async function execMs(c: pg.Client, sql: string, reps = 3, rollback = true): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < reps; i++) {
    // Each replay writes ~200 MB of WAL; without a checkpoint first, max_wal_size checkpoints land inside random replays.
    await c.query('CHECKPOINT');
    if (rollback) await c.query('BEGIN');
    const { rows } = await c.query(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${sql}`);
    if (rollback) await c.query('ROLLBACK');
    xs.push(rows[0]['QUERY PLAN'][0]['Execution Time']);
  }
  return median(xs);
}

export async function profileUpdate(ctx: Ctx): Promise<Record<string, unknown>> {
  const db = 'bench_profile';
  await ctx.createDb(db, ctx.template);
  const c = await connect(ctx.url(db));
  const out: Record<string, any> = {};
  const lines: string[] = [];
  const say = (s: string) => { lines.push(s); console.log(`  · ${s}`); };
  try {
    await ctx.enable(c, 'v1');
    const spec = await introspect(c, { schema: 'public', table: 'bench_wide' }, {});
    const definition = renderAudit(spec).definition;
    await c.query(INSERT_ROWS(ctx.rows));
    await c.query('VACUUM (ANALYZE) public.bench_wide, audit.events');
    // Copies of what the UPDATE's transition tables hold, in the same (physical) order.
    await c.query(`CREATE TABLE p_old AS SELECT * FROM public.bench_wide`);
    await c.query(`CREATE TABLE p_new AS SELECT id, name, qty + 1 AS qty, price + 1 AS price, created_at, NOT active AS active, attrs, ref, score, note FROM public.bench_wide`);
    await c.query('VACUUM (ANALYZE) p_old, p_new');
    await c.query('CHECKPOINT');

    // 1. auto_explain on the real statement.
    const notices: string[] = [];
    const onNotice = (m: { message?: string }) => notices.push(m.message ?? '');
    c.on('notice', onNotice);
    await c.query(`LOAD 'auto_explain'`);
    await c.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET auto_explain.log_analyze = on;
                   SET auto_explain.log_buffers = on; SET auto_explain.log_triggers = on; SET auto_explain.log_level = notice; SET client_min_messages = notice`);
    const updateMs = await timed(c, UPDATE_ROWS);
    await c.query(`SET auto_explain.log_min_duration = -1`);
    c.off('notice', onNotice);
    await mkdir(ctx.outDir, { recursive: true });
    const planFile = join(ctx.outDir, 'write-overhead.update-plans.txt');
    await writeFile(planFile, `-- audited UPDATE of ${ctx.rows} rows under auto_explain (log_analyze, log_buffers, log_triggers, nested)\n-- client-side time ${fmt(updateMs, 0)} ms\n\n${notices.join('\n\n')}\n`);
    const top = notices.find((n) => /Update on bench_wide/.test(n)) ?? '';
    const trig = top.match(/Trigger pgtrail_update: time=([\d.]+)/);
    const exec = top.match(/duration: ([\d.]+) ms/);
    out.autoExplain = { file: 'bench/results/write-overhead.update-plans.txt', updateMsClient: updateMs, updateMsServer: exec ? Number(exec[1]) : null, triggerMs: trig ? Number(trig[1]) : null };
    say(`audited UPDATE under auto_explain: ${fmt(updateMs, 0)} ms; trigger ${trig?.[1] ?? '?'} ms of ${exec?.[1] ?? '?'} ms (plans: ${planFile})`);
    await c.query('VACUUM (ANALYZE) public.bench_wide, audit.events');
    await c.query(DELETE_ROWS);
    await c.query('VACUUM (ANALYZE) public.bench_wide, audit.events');

    // 2. The trigger's UPDATE statement, replayed over the copies.
    const m = definition.match(/ELSIF TG_OP = 'UPDATE' THEN\s*([\s\S]*?);\s*ELSIF TG_OP = 'DELETE'/);
    if (!m) throw new Error('could not find the UPDATE branch in the rendered v1 definition');
    const stmt = m[1]
      .replace(/pgtrail_old/g, 'p_old').replace(/pgtrail_new/g, 'p_new')
      .replace(/\bv_at\b/g, 'statement_timestamp()').replace(/\bv_tx\b/g, 'txid_current()')
      .replace(/v_ctx\.metadata/g, 'NULL::jsonb').replace(/v_ctx\.ip/g, `'127.0.0.1'::inet`).replace(/v_ctx\.actor_type/g, `'db_role'`)
      .replace(/v_ctx\.(user_agent|request_id)/g, 'NULL::text').replace(/v_ctx\.app_name/g, `'pgtrail-bench'`).replace(/v_ctx\.\w+/g, `'postgres'`);
    const select = stmt.replace(/^INSERT INTO audit\.events \([^)]*\)\s*/, '');
    const fenced = select.match(/FROM (\(SELECT o\.r AS old_row[\s\S]*?OFFSET 0\) AS d)/)![1];
    // Reads both whole-row values so the planner cannot prune them (count(*) alone would skip forming and sorting them).
    const pairing = `SELECT sum(pg_catalog.pg_column_size(o.r) + pg_catalog.pg_column_size(n.r)) FROM (SELECT pg_catalog.row_number() OVER () AS rn, t AS r FROM p_old AS t) AS o
      JOIN (SELECT pg_catalog.row_number() OVER () AS rn, t AS r FROM p_new AS t) AS n ON n.rn = o.rn`;
    const { rows: idxDefs } = await c.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'audit' AND tablename = 'events' ORDER BY indexname`);
    const copy = async (name: string, indexes: Array<{ indexname: string; indexdef: string }>) => {
      await c.query(`DROP TABLE IF EXISTS ${name}; CREATE TABLE ${name} (LIKE audit.events INCLUDING DEFAULTS)`);
      for (const i of indexes) await c.query(i.indexdef.replace(/ON ONLY audit\.events/, `ON ${name}`).replace(i.indexname, `${name}_${i.indexname}`));
    };
    await copy('ev_noidx', []);
    await copy('ev_allidx', idxDefs);

    const shapes: Array<[string, string]> = [
      ['pairing (2× row_number + join)', pairing],
      ['+ changed_fields (fenced subquery)', `SELECT count(*) FROM ${fenced} WHERE d.changed <> '{}'::text[]`],
      ['+ jsonb, context, metadata (full SELECT)', select],
      ['INSERT into copy, no indexes', stmt.replace('INSERT INTO audit.events', 'INSERT INTO ev_noidx')],
      ['INSERT into copy, all 7 indexes', stmt.replace('INSERT INTO audit.events', 'INSERT INTO ev_allidx')],
      ['INSERT into audit.events (partitioned)', stmt],
    ];
    const timings: Record<string, number> = {};
    for (const [label, sql] of shapes) {
      timings[label] = await execMs(c, sql);
      say(`${label.padEnd(42)} ${fmt(timings[label], 0).padStart(6)} ms`);
    }
    await c.query(`SET work_mem = '64MB'`);
    timings['full SELECT, work_mem 64MB'] = await execMs(c, select);
    timings['INSERT into audit.events, work_mem 64MB'] = await execMs(c, stmt);
    await c.query(`RESET work_mem`);
    say(`full SELECT with work_mem 64MB                ${fmt(timings['full SELECT, work_mem 64MB'], 0).padStart(6)} ms`);
    say(`INSERT into audit.events with work_mem 64MB  ${fmt(timings['INSERT into audit.events, work_mem 64MB'], 0).padStart(6)} ms`);
    // Each index alone: its maintenance cost is the difference to the no-index copy.
    const perIndex: Record<string, number> = {};
    for (const i of idxDefs) {
      await copy('ev_oneidx', [i]);
      perIndex[i.indexname] = (await execMs(c, stmt.replace('INSERT INTO audit.events', 'INSERT INTO ev_oneidx'))) - timings['INSERT into copy, no indexes'];
    }
    say(`index maintenance per index (ms over no-index copy): ${Object.entries(perIndex).map(([k, v]) => `${k} ${fmt(v, 0)}`).join(', ')}`);
    out.updateShapes = { rows: ctx.rows, ms: timings, perIndexMs: perIndex, note: 'EXPLAIN (ANALYZE, TIMING OFF) execution time, median of 3, each in a rolled-back transaction' };

    // 3. Storage: the 3×rows events now in audit.events.
    await c.query(`DROP TABLE IF EXISTS s_base; CREATE TABLE s_base (LIKE audit.events INCLUDING DEFAULTS)`);
    await c.query(`INSERT INTO s_base SELECT * FROM audit.events`);
    const n = Number((await c.query('SELECT count(*) AS n FROM s_base')).rows[0].n);
    const size = async (rel: string) => Number((await c.query(`SELECT pg_relation_size($1::regclass) AS s`, [rel])).rows[0].s);
    const heap = await size('s_base');
    await c.query(`DROP TABLE IF EXISTS s_pglz; CREATE TABLE s_pglz (LIKE audit.events INCLUDING DEFAULTS) WITH (toast_tuple_target = 128);
                   ALTER TABLE s_pglz ALTER COLUMN old_data SET STORAGE MAIN, ALTER COLUMN new_data SET STORAGE MAIN`);
    await c.query(`INSERT INTO s_pglz SELECT * FROM audit.events`);
    const pglz = Number((await c.query(`SELECT pg_table_size('s_pglz') AS s`)).rows[0].s);
    const candidates: Array<[string, string]> = [
      ['btree (id)  [v1]', 'btree (id)'],
      ['brin (id)', 'brin (id)'],
      ['btree (target_type, target_id)  [v1]', 'btree (target_type, target_id)'],
      ['btree (target_id)', 'btree (target_id)'],
      ['hash (target_id)', 'hash (target_id)'],
      ['btree (actor_id)  [v1]', 'btree (actor_id)'],
      ['btree (action)  [v1]', 'btree (action)'],
      ['btree (tx_id)  [v1]', 'btree (tx_id)'],
      ['btree (ip)  [v1]', 'btree (ip)'],
      ['brin (occurred_at)  [v1]', 'brin (occurred_at)'],
    ];
    const idx: Record<string, number> = {};
    for (const [label, def] of candidates) {
      await c.query(`DROP INDEX IF EXISTS s_idx; CREATE INDEX s_idx ON s_base USING ${def}`);
      idx[label] = (await size('s_idx')) / n;
    }
    out.storage = { events: n, heapBytesPerEvent: heap / n, pglzInlineBytesPerEvent: pglz / n, indexBytesPerEvent: idx };
    say(`heap per event ${fmt(heap / n, 0)} B; with toast_tuple_target=128 + STORAGE MAIN on old/new_data ${fmt(pglz / n, 0)} B (no effect: tuples under ~2 kB are never compressed)`);
    say(`index bytes per event: ${Object.entries(idx).map(([k, v]) => `${k} ${fmt(v, 1)}`).join('; ')}`);
    out.summary = lines.map((l) => `  ${l}`).join('\n');
    return out;
  } finally {
    await c.end();
    await ctx.dropDb(db);
  }
}
