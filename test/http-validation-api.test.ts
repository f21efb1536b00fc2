// Bad input to the JSON API is a 400 with one shape, { "error": "<field>: <what is wrong>" }, from
// the route validators (src/server/api/validators.ts): malformed path ids, unknown parameters, bad
// paging and as-of values. Each case checks the status and the whole message; each has a positive
// control that the same route answers well-formed input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import type { Hono } from 'hono';
import { createToken } from '../src/accounts/tokens.ts';
import { apiApp, bearer, consoleRolePool } from './helpers/api.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase; api: pg.Pool; app: Hono<any>; auditor: string; viewer: string; eventId: string }>('http-validation-api');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('http_validation_api');
  ctx.api = consoleRolePool(ctx.db.url);
  ctx.app = apiApp({ pool: ctx.api, secret: 'validation-secret' });
  await ctx.db.pool.query(`SELECT audit.log_event('test.event', 'test', '1')`);
  ctx.eventId = (await ctx.db.pool.query('SELECT max(id)::text AS id FROM audit.events')).rows[0].id;
  const client = await ctx.db.pool.connect();
  try {
    ctx.auditor = (await createToken(client, 'validation-auditor', 'auditor')).token;
    ctx.viewer = (await createToken(client, 'validation-viewer', 'viewer')).token;
  } finally {
    client.release();
  }
});
t.after(async (ctx) => {
  await ctx.api?.end();
  await ctx.db?.drop();
});

async function get(ctx: { app: Hono<any>; auditor: string }, path: string, token = ctx.auditor) {
  const res = await ctx.app.request(`/api/v1${path}`, bearer(token));
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.json() };
}

t('a malformed event id is a JSON 400 naming the id; a real one is read', async (ctx) => {
  for (const bad of ['abc', '-1', '1.5', '9223372036854775808', "1';--", 'x'.repeat(100)]) {
    const res = await get(ctx, `/events/${encodeURIComponent(bad)}`);
    assert.is(res.status, 400, bad);
    assert.match(res.type, /^application\/json/);
    assert.equal(res.body, { error: `id: "${bad.slice(0, 40)}" is not an event id` }, bad);
  }
  const good = await get(ctx, `/events/${ctx.eventId}`);
  assert.is(good.status, 200, 'positive control: the same route reads a well-formed id');
  assert.is(String(good.body.id), ctx.eventId);
  assert.is((await get(ctx, '/events/9223372036854775807')).status, 404, 'the largest bigint is an id (there is no such event)');
});

t('a malformed export id is a 400 for those allowed to ask; a viewer is refused first (403)', async (ctx) => {
  const bad = await get(ctx, '/exports/not-a-uuid/manifest');
  assert.is(bad.status, 400);
  assert.equal(bad.body, { error: 'id: "not-a-uuid" is not an export id' });
  const upper = await get(ctx, '/exports/0F0F0F0F-0000-4000-8000-000000000000/manifest');
  assert.equal(upper, { status: 400, type: upper.type, body: { error: 'id: "0F0F0F0F-0000-4000-8000-000000000000" is not an export id' } });
  const viewer = await get(ctx, '/exports/not-a-uuid/manifest', ctx.viewer);
  assert.is(viewer.status, 403, 'the role check runs before the input check');
  const absent = await get(ctx, '/exports/0f0f0f0f-0000-4000-8000-000000000000/manifest');
  assert.is(absent.status, 404, 'positive control: a well-formed id reaches the handler');
  assert.match(absent.body.error, /^no signed manifest for export 0f0f0f0f-/);
});

t('unknown parameters are refused on every route, named, with what the route takes', async (ctx) => {
  const cases: Array<[string, string]> = [
    [`/events/${ctx.eventId}?pretty=1`, 'pretty: this route takes no parameters'],
    ['/seals?since=3', 'since: this route takes no parameters'],
    ['/exports/0f0f0f0f-0000-4000-8000-000000000000/manifest?x=1', 'x: this route takes no parameters'],
    ['/activity?windw=24h', 'windw: is not a parameter here; use actor_type, actor_id, actor, action, target_type, target_id, window, from, to, ip, q, tx_id, result, reason, verb, in_data'],
    ['/records/as-of?target_type=test&target_id=1&when=now', 'when: is not a parameter here; use target_type, target_id, at, event, compare'],
  ];
  for (const [path, error] of cases) {
    const res = await get(ctx, path);
    assert.is(res.status, 400, path);
    assert.equal(res.body, { error }, path);
  }
  const unknownOnList = await get(ctx, '/events?limitt=5');
  assert.is(unknownOnList.status, 400);
  assert.match(unknownOnList.body.error, /^limitt: is not a parameter here; use actor_type, .*, limit, cursor$/);
  assert.is((await get(ctx, '/seals')).status, 200, 'positive control: the route without parameters answers');
  assert.is((await get(ctx, '/activity?window=24h')).status, 200, 'positive control: a known parameter is taken');
});

t('paging, filter and as-of values are checked by the route validators with the field named', async (ctx) => {
  const cases: Array<[string, string]> = [
    ['/events?limit=0', 'limit: must be a whole number from 1 to 500'],
    ['/events?limit=1&limit=2', 'limit: may be given only once'],
    ['/events?cursor=a&cursor=b', 'cursor: may be given only once'],
    ['/events?actor_type=robot', 'actor_type: must be one of user, api_token, system, db_role'],
    ['/records/as-of?target_type=test&target_id=1&event=12x', 'event: "12x" is not an event id (a whole number)'],
  ];
  for (const [path, error] of cases) {
    const res = await get(ctx, path);
    assert.is(res.status, 400, path);
    assert.equal(res.body, { error }, path);
  }
  const page = await get(ctx, '/events?limit=1');
  assert.is(page.status, 200, 'positive control');
  assert.is(page.body.events.length, 1);
});

t.run();
