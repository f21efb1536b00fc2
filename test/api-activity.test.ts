// GET /api/v1/activity: the console's activity panel as JSON for a token — counts equal to a
// brute-force count of the same filter, the filter's 400s with their reason, strict parameters.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { createToken } from '../src/accounts/tokens.ts';
import { enableAudit } from '../src/audit/enable.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { apiApp, bearer, consoleRolePool } from './helpers/api.ts';

interface Ctx { db: TestDatabase; api: pg.Pool; app: ReturnType<typeof apiApp>; token: string }
const t = suite<Ctx>('api-activity');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('api_activity');
  await ctx.db.pool.query(`SELECT audit.log_event('auth.sign_in_failed', 'user', (g % 3)::text, '{}') FROM generate_series(1, 12) AS g`);
  await ctx.db.pool.query(`SELECT audit.log_event('broadcast.send', 'campaign', g::text, '{}') FROM generate_series(1, 5) AS g`);
  const admin = await ctx.db.pool.connect();
  try {
    ctx.token = (await createToken(admin, 'activity-viewer', 'viewer')).token;
  } finally {
    admin.release();
  }
  ctx.api = consoleRolePool(ctx.db.url);
  ctx.app = apiApp({ pool: ctx.api, secret: 'api-activity-secret' });
});
t.after(async (ctx) => {
  await ctx.api?.end();
  await ctx.db?.drop();
});

t('the histogram and the top lists of a filter, as counted by brute force', async ({ db, app, token }) => {
  const res = await app.request('/api/v1/activity?window=24h', bearer(token));
  assert.is(res.status, 200);
  const body = await res.json();
  const { rows } = await db.pool.query(`SELECT action, count(*)::int AS n FROM audit.events WHERE occurred_at >= now() - interval '24 hours' GROUP BY 1 ORDER BY 2 DESC, 1`);
  assert.is(body.total, rows.reduce((n: number, r: { n: number }) => n + r.n, 0));
  assert.is(body.buckets.reduce((n: number, b: { count: number }) => n + b.count, 0), body.total, 'the bars hold every event');
  assert.is(body.bucket_seconds, 3600);
  for (const r of rows) assert.ok(body.top.actions.some((a: { action: string; count: number }) => a.action === r.action && a.count === r.n), `${r.action}: ${r.n}`);
  assert.match(body.from, /Z$/);

  const failed = await (await app.request('/api/v1/activity?window=24h&action=auth.sign_in_failed', bearer(token))).json();
  assert.is(failed.total, 12);
  assert.equal(failed.top.target_types, [{ target_type: 'user', count: 12 }]);
});

t('a table and the entity it stands for are one history: the activity counts what the list counts', async ({ db, app, token }) => {
  await db.pool.query(`CREATE TABLE public.campaigns (id int PRIMARY KEY, title text)`);
  await enableAudit(db.pool, { schema: 'public', table: 'campaigns' }, { entity: 'campaign' });
  await db.pool.query(`INSERT INTO public.campaigns SELECT g, 'c' || g FROM generate_series(1, 3) AS g`);
  const activity = await (await app.request('/api/v1/activity?window=24h&target_type=public.campaigns', bearer(token))).json();
  const list = await (await app.request('/api/v1/events?window=24h&target_type=public.campaigns&limit=500', bearer(token))).json();
  assert.is(list.events.length, 3 + 5, 'positive control: the list holds the row changes and the campaign events');
  assert.is(activity.total, list.events.length);
  assert.equal(activity.top.target_types.map((x: { target_type: string }) => x.target_type).sort(), ['campaign', 'public.campaigns']);
});

t('bad filters are a 400 saying what was wrong; unknown parameters are refused; a token is needed', async ({ app, token }) => {
  const bad = await app.request('/api/v1/activity?window=5y', bearer(token));
  assert.is(bad.status, 400);
  assert.match((await bad.json()).error, /window/);
  const unknown = await app.request('/api/v1/activity?windw=24h', bearer(token));
  assert.is(unknown.status, 400);
  assert.match((await unknown.json()).error, /windw.*is not a parameter here/);
  assert.is((await app.request('/api/v1/activity')).status, 401);
});

t.run();
