// The query timeout (PGTRAIL_QUERY_TIMEOUT_MS → AppDeps.reads, a pool whose connections carry
// statement_timeout): a cut list is a 503 with advice on the page, in the htmx fragment and in the
// API, never a 500; exports run on the other pool and are not cut; and the events page warns of a
// free-text scan over a wide window while the search index is off.
// Honest timeouts: 200,000 events, and a free-text search over all of them (no index, per-field
// ILIKE on every row, plus the count) cannot finish within 1 ms.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import type { Hono } from 'hono';
import { createConsolePool } from '../src/db/console-pool.ts';
import { enableSearchIndex, disableSearchIndex } from '../src/maintenance/search-index.ts';
import { createApp } from '../src/server/app.ts';
import { createToken } from '../src/accounts/tokens.ts';
import { loadConfig } from '../src/config.ts';
import { Client, consoleFixture, type ConsoleFixture } from './helpers/console.ts';

const EVENTS = 200_000;

interface Ctx { f: ConsoleFixture; bounded: pg.Pool; slow: Hono<any>; c: Client; plain: Client; token: string }
const t = suite<Ctx>('console-timeout');

t.before(async (ctx) => {
  ctx.f = await consoleFixture('console_timeout');
  // Within the last 2.5 days: the partitions around today exist from the migration.
  await ctx.f.db.pool.query(`
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user)
    SELECT now() - g * interval '1 second', g, 'update', 'public.contacts', (g % 5000)::text, 'user', 'u' || (g % 300), 'Person ' || (g % 300), 'app'
      FROM generate_series(1, ${EVENTS}) g`);
  await ctx.f.db.pool.query('ANALYZE audit.events');
  ctx.bounded = createConsolePool(ctx.f.db.url, 2, { statementTimeoutMs: 1 });
  ctx.slow = createApp({ ...ctx.f.deps, reads: { pool: ctx.bounded, timeoutMs: 1 } });
  ctx.c = new Client(ctx.slow);
  await ctx.c.signIn('auditor@example.com');
  ctx.plain = new Client(ctx.f.app);
  await ctx.plain.signIn('auditor@example.com');
  const admin = await ctx.f.db.pool.connect();
  try {
    ctx.token = (await createToken(admin, 't-timeout', 'auditor')).token;
  } finally {
    admin.release();
  }
});
t.after(async (ctx) => {
  await ctx.bounded?.end();
  await ctx.f?.close();
});

const ADVICE = 'This search took longer than 1 ms. Narrow the time window, add a filter, or ask a DBA to enable the free-text search index (pgtrail search-index enable).';

t('config: PGTRAIL_QUERY_TIMEOUT_MS defaults to 10 s; a bad value is a clear start-up error', () => {
  assert.is(loadConfig({}).PGTRAIL_QUERY_TIMEOUT_MS, 10_000);
  assert.is(loadConfig({ PGTRAIL_QUERY_TIMEOUT_MS: '2500' }).PGTRAIL_QUERY_TIMEOUT_MS, 2500);
  for (const bad of ['0', '-5', 'ten', '1.5', '']) {
    assert.throws(() => loadConfig({ PGTRAIL_QUERY_TIMEOUT_MS: bad }), /PGTRAIL_QUERY_TIMEOUT_MS/, bad);
  }
});

t('the console page: a cut search is a 503 with the advice and the filter form, no stack', async ({ c }) => {
  const res = await c.get('/events?q=person%2042');
  assert.is(res.status, 503);
  const html = await res.text();
  assert.ok(html.includes(ADVICE), html.slice(0, 400));
  assert.match(html, /<form id="filters"/, 'the form stays, to narrow the search');
  assert.match(html, /value="person 42"/);
  assert.not.match(html, /at .*\.ts:\d+|Something went wrong/);
});

t('the htmx fragment: the same 503 and advice, as the results section', async ({ c }) => {
  const res = await c.get('/events?q=person%2042&window=7d', { 'HX-Request': 'true' });
  assert.is(res.status, 503);
  const html = await res.text();
  assert.match(html, /^<section id="results"/);
  assert.ok(html.includes(ADVICE));
});

t('without free text the advice does not mention the index', async ({ c }) => {
  // No event is an insert: the page and the count look through all 200,000 for one.
  const res = await c.get('/events?action=insert', { 'HX-Request': 'true' });
  assert.is(res.status, 503);
  const html = await res.text();
  assert.ok(html.includes('This search took longer than 1 ms. Narrow the time window or add a filter.'), html);
  assert.not.match(html, /search-index enable/);
});

t('the API: 503 with the advice as JSON', async ({ f, slow, token }) => {
  const res = await slow.request('/api/v1/events?q=person%2042', { headers: { Authorization: `Bearer ${token}` } });
  assert.is(res.status, 503);
  assert.equal(await res.json(), { error: ADVICE });
  // The same request on the unbounded app answers.
  const ok = await f.app.request('/api/v1/events?q=person%2042', { headers: { Authorization: `Bearer ${token}` } });
  assert.is(ok.status, 200);
  assert.is((await ok.json()).events.length, 50);
});

t('an export is not cut: it streams every matching event from the other pool', async ({ f, slow, token }) => {
  const res = await slow.request('/api/v1/events.csv?q=person%2042', { headers: { Authorization: `Bearer ${token}` } });
  assert.is(res.status, 200);
  const lines = (await res.text()).trimEnd().split('\n');
  const expected = Number((await f.db.pool.query(`SELECT count(*) FROM audit.events WHERE actor_name ILIKE '%person 42%'`)).rows[0].count);
  assert.ok(expected > 600);
  assert.is(lines.length - 1, expected, 'header + every matching row');
});

t('the hint: free text over a wide or absent window without the index; not for a short window or without q', async ({ f, plain }) => {
  const hint = /data-hint="">Free text scans every event in the window — narrow it, or enable the search index \(pgtrail search-index enable\)\./;
  const html = async (path: string) => {
    const res = await plain.get(path);
    assert.is(res.status, 200, path);
    return res.text();
  };
  assert.match(await html('/events?q=person%2042'), hint);
  assert.match(await html('/events?q=person%2042&window=7d'), hint);
  assert.match(await (await plain.get('/events?q=person%2042&window=24h', { 'HX-Request': 'true' })).text(), hint, 'in the fragment too');
  assert.not.match(await html('/events?q=person%2042&window=1h'), /data-hint/);
  assert.not.match(await html('/events?window=7d'), /data-hint/);

  const owner = new pg.Client({ connectionString: f.db.url });
  await owner.connect();
  try {
    await enableSearchIndex(owner);
    assert.not.match(await html('/events?q=person%2042'), /data-hint/, 'index on: no hint');
    await disableSearchIndex(owner);
    assert.match(await html('/events?q=person%2042'), hint, 'off again: the hint is back');
  } finally {
    await owner.end();
  }
});

t.run();
