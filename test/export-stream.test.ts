// Streaming exports over a real HTTP server on a loopback port: a client that disconnects mid-export
// cancels the COPY on the server and the pool stays whole; an error before the first byte is a
// proper status; an error after streaming began truncates the download detectably.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { exportRoute } from '../src/server/export-download.ts';
import type { AppEnv } from '../src/server/env.ts';
import { createToken } from '../src/accounts/tokens.ts';
import { SqlState } from '../src/db/errors.ts';
import { apiApp, consoleRolePool, errorLog, exportEvents, waitFor, type ErrorLog } from './helpers/api.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

interface Ctx {
  db: TestDatabase;
  api: pg.Pool;
  token: string;
  server: ServerType;
  port: number;
  /** What the server's export routes tell the operator. */
  errors: ErrorLog;
}
const t = suite<Ctx>('export-stream');
const ROWS = 200_000;

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('export_stream');
  // ~90 MB of CSV: far more than socket buffers hold, so the export is still running when the
  // client walks away after its first chunk.
  await ctx.db.pool.query(`
    INSERT INTO audit.events (tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, db_user, old_data, new_data, changed_fields)
    SELECT g, 'update', 'public.contacts', g::text, 'user', (g % 50)::text, 'user' || (g % 50) || '@example.com', '10.0.0.1', 'app',
           jsonb_build_object('id', g, 'email', 'old' || g || '@example.com', 'notes', repeat('n', 150)),
           jsonb_build_object('id', g, 'email', 'new' || g || '@example.com', 'notes', repeat('n', 150)), ARRAY['email']
      FROM generate_series(1, ${ROWS}) g`);
  await ctx.db.pool.query('ANALYZE audit.events');
  ctx.api = consoleRolePool(ctx.db.url, 3);
  const admin = await ctx.db.pool.connect();
  ctx.token = (await createToken(admin, 'stream-test', 'auditor')).token;
  admin.release();
  ctx.errors = errorLog();
  const app = apiApp({ pool: ctx.api, secret: 's', logError: ctx.errors.logError });
  await new Promise<void>((resolve) => {
    ctx.server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      ctx.port = info.port;
      resolve();
    });
  });
});
t.after(async (ctx) => {
  await new Promise((r) => ctx.server?.close(r));
  await ctx.api?.end();
  await ctx.db?.drop();
});

function get(ctx: Ctx, path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: ctx.port, path, headers: { Authorization: `Bearer ${ctx.token}` } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function runningCopies(db: TestDatabase): Promise<number> {
  const { rows } = await db.pool.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY (%' AND pid <> pg_backend_pid()`);
  return rows[0].n;
}

async function poolIsWhole(pool: pg.Pool): Promise<boolean> {
  return pool.waitingCount === 0 && pool.idleCount === pool.totalCount;
}

t('a client that disconnects after the first chunk cancels the COPY; the pool is whole, again and again', async (ctx) => {
  // More disconnects than the pool has connections: a leaked client would make the last ones hang.
  for (let round = 0; round < 4; round++) {
    const res = await get(ctx, '/api/v1/events.csv');
    assert.is(res.statusCode, 200);
    const exportId = String(res.headers['x-pgtrail-export-id']);
    await new Promise<void>((resolve) => res.once('data', () => resolve()));
    assert.is(await runningCopies(ctx.db), 1, 'the COPY is running when the client leaves');
    res.destroy(); // the browser tab closes

    await waitFor(async () => (await runningCopies(ctx.db)) === 0, 5000, 'the COPY to stop');
    const [, end] = await waitFor(async () => {
      const e = await exportEvents(ctx.db.pool, exportId);
      return e.length === 2 ? e : undefined;
    }, 5000, 'the export_failed event');
    assert.is(end.action, 'audit.export_failed');
    assert.is(end.metadata.reason, 'client_disconnected');
    assert.ok(Number(end.metadata.bytes) < 60_000_000, 'stopped long before the end');
    await waitFor(() => poolIsWhole(ctx.api), 5000, 'the pool to be whole');
  }
  const { rows } = await ctx.api.query('SELECT count(*)::int AS n FROM audit.events');
  assert.ok(rows[0].n > ROWS, 'the pool still answers queries');
  assert.ok(ctx.api.totalCount <= 3);
});

t('a client gone before the first byte (request aborted) cancels too; the pool is whole', async (ctx) => {
  const log = errorLog();
  const app = apiApp({ pool: ctx.api, secret: 's', logError: log.logError });
  const controller = new AbortController();
  const pending = app.request('/api/v1/events.csv', { headers: { Authorization: `Bearer ${ctx.token}` }, signal: controller.signal });
  controller.abort();
  const res = await pending;
  const exportId = res.headers.get('x-pgtrail-export-id') ?? (await res.json()).export_id;
  const [, end] = await waitFor(async () => {
    const e = await exportEvents(ctx.db.pool, exportId);
    return e.length === 2 ? e : undefined;
  }, 5000, 'the end event');
  assert.is(end.action, 'audit.export_failed');
  assert.is(end.metadata.reason, 'client_disconnected');
  assert.equal(log.entries, [], 'a client that left is no failure to report');
  await waitFor(async () => (await runningCopies(ctx.db)) === 0, 5000, 'the COPY to stop');
  await waitFor(() => poolIsWhole(ctx.api), 5000, 'the pool to be whole');
});

t('a complete export over HTTP: every row, chunked, recorded with its count', async (ctx) => {
  const res = await get(ctx, '/api/v1/events.jsonl?target_type=public.contacts');
  assert.is(res.headers['transfer-encoding'], 'chunked');
  let lines = 0;
  let tail = '';
  for await (const chunk of res) {
    const text = tail + chunk.toString('utf8');
    const parts = text.split('\n');
    tail = parts.pop()!;
    lines += parts.length;
  }
  assert.is(tail, '');
  assert.is(lines, ROWS);
  const events = await waitFor(async () => {
    const e = await exportEvents(ctx.db.pool, String(res.headers['x-pgtrail-export-id']));
    return e.length === 2 ? e : undefined;
  }, 5000, 'export events');
  assert.is(events[1].action, 'audit.export_completed');
  assert.is(events[1].metadata.rows, ROWS);
  assert.ok(await poolIsWhole(ctx.api));
});

t('an error before the first byte is a JSON 500, recorded as failed; the pool is whole', async (ctx) => {
  // A role that may log events (as every role may) but not read them: the COPY itself fails.
  await ctx.db.pool.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'export_no_read') THEN CREATE ROLE export_no_read NOLOGIN; END IF; END $$`);
  const pool = new pg.Pool({ connectionString: ctx.db.url, max: 2, options: '-c role=export_no_read' });
  pool.on('error', () => {}); // as the test database's pool: see test/helpers/database.ts
  // The principal as either authentication would set it; the export runs on the restricted pool.
  const restricted = new Hono<AppEnv>();
  restricted.use('*', async (c, next) => {
    c.set('principal', { kind: 'api_token', id: '999', name: 'no-read', role: 'auditor' });
    await next();
  });
  const log = errorLog();
  restricted.get('/x.csv', exportRoute({ pool, logError: log.logError }, 'csv'));
  const res = await restricted.request('/x.csv');
  assert.is(res.status, 500);
  assert.is(res.headers.get('content-type'), 'application/json');
  const body = await res.json();
  assert.match(body.error, /could not be started/);
  assert.not.match(JSON.stringify(body), /permission denied/, 'no database detail leaks to the client');
  const events = await exportEvents(ctx.db.pool, body.export_id);
  assert.equal(events.map((e) => e.action), ['audit.export', 'audit.export_failed']);
  assert.is(events[1].metadata.sqlstate, SqlState.insufficientPrivilege);
  assert.equal(log.entries.map((e) => [e.message, (e.error as { code?: string }).code]),
    [[`pgtrail: export ${body.export_id} failed before its first byte:`, SqlState.insufficientPrivilege]], 'the operator is told, with the database error');
  await waitFor(() => poolIsWhole(pool), 2000, 'the pool to be whole');
  await pool.end();
});

t('an error after streaming began truncates the download: the client sees an incomplete transfer', async (ctx) => {
  const res = await get(ctx, '/api/v1/events.csv');
  assert.is(res.statusCode, 200);
  let received = '';
  const outcome = new Promise<string>((resolve) => {
    res.on('data', (d: Buffer) => (received += d.toString('utf8')));
    res.on('end', () => resolve(res.complete ? 'complete' : 'incomplete-end'));
    res.on('aborted', () => resolve('aborted'));
    res.on('error', () => resolve('error'));
  });
  await new Promise<void>((resolve) => res.once('data', () => resolve()));
  // The server's COPY dies mid-way (an operator kills it, the server restarts…).
  await ctx.db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY (%' AND pid <> pg_backend_pid()`);
  const how = await outcome;
  assert.ok(how !== 'complete', `the client must notice (got ${how})`);
  assert.not.match(received, /Error: |<html|terminating connection/, `no error text inside the CSV: ${JSON.stringify(received.slice(-300))}`);
  const exportId = String(res.headers['x-pgtrail-export-id']);
  const [, end] = await waitFor(async () => {
    const e = await exportEvents(ctx.db.pool, exportId);
    return e.length === 2 ? e : undefined;
  }, 5000, 'the export_failed event');
  assert.is(end.action, 'audit.export_failed');
  assert.is(end.metadata.reason, 'error');
  // Told to the operator once, by the route; the disconnects and the complete export before told nothing.
  assert.equal(ctx.errors.entries.map((e) => [e.message, (e.error as { code?: string }).code]),
    [[`pgtrail: export ${exportId} failed while streaming:`, SqlState.adminShutdown]]);
  await waitFor(() => poolIsWhole(ctx.api), 5000, 'the pool to be whole');
  const { rows } = await ctx.api.query('SELECT 1 AS ok');
  assert.is(rows[0].ok, 1);
});

t.run();
