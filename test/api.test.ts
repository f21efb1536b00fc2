// The JSON API through HTTP (app.request): Bearer tokens (created hashed, last use recorded,
// revocable), roles, keyset pages with signed cursors, strict parameters, JSON errors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { EVENT_FIELDS } from '../src/query/columns.ts';
import { createToken, hashToken, listTokens, revokeToken } from '../src/accounts/tokens.ts';
import { apiApp, bearer, consoleRolePool, exportEvents, waitFor } from './helpers/api.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

interface Ctx {
  db: TestDatabase;
  api: pg.Pool;
  app: ReturnType<typeof apiApp>;
  tokens: Record<'admin' | 'auditor' | 'viewer', { id: string; token: string }>;
}
const t = suite<Ctx>('api');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('api');
  await ctx.db.pool.query(`
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, db_user)
    SELECT timestamptz '2026-11-20 00:00:00Z' + g * interval '1 minute', g, (ARRAY['insert', 'update', 'auth.sign_in'])[1 + g % 3],
           'public.contacts', (g % 7)::text, 'user', 'u' || (g % 4), 'User ' || (g % 4), ('10.0.0.' || (g % 9 + 1))::inet, 'app'
      FROM generate_series(1, 230) g`);
  ctx.api = consoleRolePool(ctx.db.url);
  ctx.app = apiApp({ pool: ctx.api, secret: 'api-test-secret' });
  const admin = await ctx.db.pool.connect();
  try {
    ctx.tokens = {} as Ctx['tokens'];
    for (const role of ['admin', 'auditor', 'viewer'] as const) {
      const created = await createToken(admin, `t-${role}`, role);
      ctx.tokens[role] = { id: created.id, token: created.token };
    }
  } finally {
    admin.release();
  }
});
t.after(async (ctx) => {
  await ctx.api?.end();
  await ctx.db?.drop();
});

async function get(ctx: Ctx, path: string, role: keyof Ctx['tokens'] = 'auditor') {
  const res = await ctx.app.request(`/api/v1${path}`, bearer(ctx.tokens[role].token));
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, headers: res.headers, body: type.startsWith('application/json') ? JSON.parse(text) : text };
}

t('tokens: pgt_ + 43 characters, only the SHA-256 stored, names unique among live tokens', async (ctx) => {
  assert.match(ctx.tokens.auditor.token, /^pgt_[A-Za-z0-9_-]{43}$/);
  const { rows } = await ctx.db.pool.query('SELECT token_hash FROM console.api_tokens WHERE id = $1', [ctx.tokens.auditor.id]);
  assert.equal(rows[0].token_hash, hashToken(ctx.tokens.auditor.token));
  const dump = JSON.stringify((await ctx.db.pool.query('SELECT * FROM console.api_tokens')).rows);
  assert.not.ok(dump.includes(ctx.tokens.auditor.token.slice(4)), 'the token itself is stored nowhere');
  const admin = await ctx.db.pool.connect();
  try {
    await createToken(admin, 't-auditor', 'viewer').then(() => assert.unreachable('duplicate name'), (e: Error) => assert.match(e.message, /a live token named "t-auditor" exists/));
    await createToken(admin, 'Bad Name', 'viewer').then(() => assert.unreachable('bad name'), (e: Error) => assert.match(e.message, /token name/));
  } finally {
    admin.release();
  }
  const events = await ctx.db.pool.query(`SELECT action, target_id, metadata FROM audit.events WHERE action = 'api_token.create' ORDER BY id`);
  assert.equal(events.rows.map((r) => r.metadata.name), ['t-admin', 't-auditor', 't-viewer'], 'creation is an audit event');
});

t('no token, a malformed, unknown or revoked token: 401 JSON with a Bearer challenge', async (ctx) => {
  const missing = await ctx.app.request('/api/v1/events');
  assert.is(missing.status, 401);
  assert.is(missing.headers.get('www-authenticate'), 'Bearer realm="pgtrail"');
  assert.match((await missing.json()).error, /Authorization: Bearer/);
  for (const header of ['Bearer', 'Bearer pgt_short', `Basic ${ctx.tokens.auditor.token}`, `Bearer pgt_${'A'.repeat(43)}`, `Bearer ${ctx.tokens.auditor.token}x`]) {
    const res = await ctx.app.request('/api/v1/events', { headers: { Authorization: header } });
    assert.is(res.status, 401, header);
    assert.match(res.headers.get('www-authenticate')!, /invalid_token/);
    assert.ok((await res.json()).error);
  }
  const admin = await ctx.db.pool.connect();
  let revoked: string;
  try {
    revoked = (await createToken(admin, 'short-lived', 'auditor')).token;
    assert.is((await ctx.app.request('/api/v1/events', bearer(revoked))).status, 200);
    await revokeToken(admin, 'short-lived');
  } finally {
    admin.release();
  }
  assert.is((await ctx.app.request('/api/v1/events', bearer(revoked))).status, 401, 'revocation takes effect at once');
  const listed = (await listTokens(ctx.db.pool)).find((x) => x.name === 'short-lived')!;
  assert.ok(listed.revoked_at instanceof Date);
});

t('last_used_at is recorded on each authenticated request', async (ctx) => {
  const before = (await listTokens(ctx.db.pool)).find((x) => x.name === 't-viewer')!;
  assert.is(before.last_used_at, null);
  assert.is((await get(ctx, '/events?limit=1', 'viewer')).status, 200);
  const after = (await listTokens(ctx.db.pool)).find((x) => x.name === 't-viewer')!;
  assert.ok(after.last_used_at instanceof Date);
});

t('viewers list and read but cannot export (403); auditors and admins export', async (ctx) => {
  // Both in one count, so a refusal that is not recorded is told apart from exports never recorded.
  const exportsBy = async () => (await ctx.db.pool.query(
    `SELECT count(*) FILTER (WHERE actor_id = $1)::int AS viewer, count(*) FILTER (WHERE actor_id = $2)::int AS admin
       FROM audit.events WHERE action = 'audit.export'`, [ctx.tokens.viewer.id, ctx.tokens.admin.id])).rows[0];
  const before = await exportsBy();
  assert.is((await get(ctx, '/events', 'viewer')).status, 200);
  for (const format of ['csv', 'jsonl']) {
    const res = await get(ctx, `/events.${format}`, 'viewer');
    assert.is(res.status, 403);
    assert.match(res.body.error, /viewer role cannot export/);
    assert.is((await get(ctx, `/events.${format}?limit=`, 'admin')).status, 400, 'exports take no limit');
    assert.is((await get(ctx, `/events.${format}`, 'admin')).status, 200);
  }
  assert.equal(await exportsBy(), { viewer: before.viewer, admin: before.admin + 2 }, "the viewer's refused exports are not recorded, the admin's two are");
});

t('GET /events: fields in DESIGN order, newest first, default 50, cursor pages cover everything once', async (ctx) => {
  const first = await get(ctx, '/events?target_type=public.contacts');
  assert.is(first.status, 200);
  assert.is(first.body.events.length, 50);
  assert.equal(Object.keys(first.body.events[0]), [...EVENT_FIELDS]);
  assert.is(first.headers.get('cache-control'), 'no-store');
  const seen: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query = new URLSearchParams({ target_type: 'public.contacts', limit: '37' });
    if (cursor) query.set('cursor', cursor);
    const page = await get(ctx, `/events?${query}`);
    assert.is(page.status, 200, JSON.stringify(page.body));
    seen.push(...page.body.events.map((e: { id: number }) => e.id));
    cursor = page.body.next_cursor;
    pages++;
  } while (cursor);
  assert.is(seen.length, 230);
  assert.is(new Set(seen).size, 230, 'no event twice');
  assert.equal(seen, [...seen].sort((a, b) => b - a));
  assert.is(pages, Math.ceil(230 / 37));
  const last = await get(ctx, '/events?target_type=public.contacts&limit=500');
  assert.is(last.body.events.length, 230);
  assert.is(last.body.next_cursor, null, 'null at the end');
});

t('a cursor is bound to its filters and signed: other filters, forged or mangled → 400', async (ctx) => {
  const page = await get(ctx, '/events?actor=u1&limit=5');
  const cursor: string = page.body.next_cursor;
  assert.ok(cursor);
  assert.is((await get(ctx, `/events?actor=u1&limit=5&cursor=${encodeURIComponent(cursor)}`)).status, 200);
  const other = await get(ctx, `/events?actor=u2&limit=5&cursor=${encodeURIComponent(cursor)}`);
  assert.is(other.status, 400);
  assert.match(other.body.error, /^cursor: belongs to other filters/);
  const none = await get(ctx, `/events?cursor=${encodeURIComponent(cursor)}`);
  assert.is(none.status, 400, 'dropping the filters is other filters too');
  const forged = await get(ctx, `/events?actor=u1&cursor=${encodeURIComponent(cursor.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))}`);
  assert.is(forged.status, 400);
  assert.match(forged.body.error, /^cursor: is not valid/);
  for (const junk of ['x', 'a.b.c', '%00', "'; --", 'é'.repeat(300)]) {
    assert.is((await get(ctx, `/events?cursor=${encodeURIComponent(junk)}`)).status, 400, junk);
  }
  // Another server secret (a restarted server without the persisted secret) cannot be fooled either.
  const stranger = apiApp({ pool: ctx.api, secret: 'another-secret' });
  const res = await stranger.request(`/api/v1/events?actor=u1&limit=5&cursor=${encodeURIComponent(cursor)}`, bearer(ctx.tokens.auditor.token));
  assert.is(res.status, 400);
});

t('limit, unknown parameters and bad filters are 400s with a JSON error naming the parameter', async (ctx) => {
  const cases: Array<[string, RegExp]> = [
    ['/events?limit=0', /^limit: /],
    ['/events?limit=501', /^limit: must be a whole number from 1 to 500/],
    ['/events?limit=abc', /^limit: /],
    ['/events?limit=-1', /^limit: /],
    ['/events?limit=1e2', /^limit: /],
    ['/events?limit=5&limit=6', /^limit: may be given only once/],
    ['/events?actor_idd=u1', /^actor_idd: is not a parameter here/],
    ['/events?raw=1', /^raw: is not a parameter here/],
    ['/events.csv?cursor=x', /^cursor: is not a parameter here/],
    ['/events?from=yesterday', /^from: /],
    ['/events?ip=300.1.1.1', /^ip: /],
    ['/events?actor=a%00b', /^actor: must not contain NUL bytes/],
    [`/events?q=${'x'.repeat(10_000)}`, /^q: is longer than 200 bytes/],
    ['/events?action=%27%3B%20drop', /^action: /],
    ['/events/1?actor=x', /^actor: this route takes no parameters/],
  ];
  for (const [path, message] of cases) {
    const res = await get(ctx, path);
    assert.is(res.status, 400, `${path} → ${res.status}`);
    assert.match(res.body.error, message, path);
  }
  assert.is((await get(ctx, '/events?limit=500')).status, 200);
  assert.is((await get(ctx, '/events?limit=&actor=')).status, 200, 'empty form fields are absent');
});

t('GET /events/:id: the event, 404 when absent, 400 when not an id; unknown API paths are JSON 404s', async (ctx) => {
  const list = await get(ctx, '/events?limit=1');
  const event = list.body.events[0];
  const one = await get(ctx, `/events/${event.id}`);
  assert.is(one.status, 200);
  assert.equal(one.body, event);
  const absent = await get(ctx, '/events/99999999');
  assert.is(absent.status, 404);
  assert.match(absent.body.error, /no event 99999999/);
  for (const bad of ['abc', '-1', '1.5', '99999999999999999999', '9223372036854775808', "1';--"]) {
    const res = await get(ctx, `/events/${encodeURIComponent(bad)}`);
    assert.is(res.status, 400, bad);
    assert.match(res.body.error, /is not an event id/);
  }
  const nowhere = await get(ctx, '/nowhere');
  assert.is(nowhere.status, 404);
  assert.ok(nowhere.body.error);
});

t("a token's export is attributed to the token, with its filters and count", async (ctx) => {
  const res = await ctx.app.request('/api/v1/events.jsonl?actor=u3&action=insert', {
    headers: { Authorization: `Bearer ${ctx.tokens.admin.token}`, 'User-Agent': 'siem-puller/1.0' },
  });
  const lines = (await res.text()).trim().split('\n').length;
  const events = await waitFor(async () => {
    const e = await exportEvents(ctx.db.pool, res.headers.get('x-pgtrail-export-id')!);
    return e.length === 2 ? e : undefined;
  }, 5000, 'export events');
  for (const e of events) {
    assert.is(e.actor_type, 'api_token');
    assert.is(e.actor_id, ctx.tokens.admin.id);
    assert.is(e.actor_name, 't-admin');
  }
  const { rows } = await ctx.db.pool.query(`SELECT user_agent FROM audit.events WHERE target_id = $1 LIMIT 1`, [res.headers.get('x-pgtrail-export-id')]);
  assert.is(rows[0].user_agent, 'siem-puller/1.0');
  assert.equal(events[0].metadata.filters, { actor: 'u3', action: ['insert'] });
  assert.is(events[0].metadata.format, 'jsonl');
  assert.is(events[1].metadata.rows, lines);
});

t.run();
