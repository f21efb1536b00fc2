// The console's doors: sign-in (events with IP and user agent, lockout), sessions (cookie flags,
// expiry, sign-out), CSRF, roles enforced on the server, security headers, and the database
// role the console runs as.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqlState } from '../src/db/errors.ts';
import { Client, consoleFixture, type ConsoleFixture } from './helpers/console.ts';

const t = suite<{ f: ConsoleFixture }>('console-auth');

t.before(async (ctx) => {
  ctx.f = await consoleFixture('console_auth', { throttle: { maxPerEmail: 3, maxPerIp: 50, windowMs: 15 * 60_000, lockMs: 10 * 60_000 } });
});
t.after(async (ctx) => ctx.f?.close());

async function authEvents(f: ConsoleFixture, since = 0) {
  const { rows } = await f.db.pool.query(
    `SELECT id, action, target_id, actor_type, actor_id, actor_name, host(ip) AS ip, user_agent, metadata
       FROM audit.events WHERE action LIKE 'auth.%' AND id > $1 ORDER BY id`, [since]);
  return rows;
}
const lastId = async (f: ConsoleFixture) => Number((await f.db.pool.query('SELECT coalesce(max(id), 0) AS n FROM audit.events')).rows[0].n);

t('every page but sign-in and assets needs a session: GET redirects, htmx gets HX-Redirect, POST 401', async ({ f }) => {
  const anon = new Client(f.app);
  for (const path of ['/', '/events', '/events/1', '/sign-ins', '/users', '/export.csv', '/nope']) {
    const res = await anon.get(path);
    assert.is(res.status, 303, path);
    assert.match(res.headers.get('location')!, /^\/sign-in/, path);
  }
  assert.is((await anon.get('/events?actor=x')).headers.get('location'), '/sign-in?next=%2Fevents%3Factor%3Dx', 'comes back to the same view');
  const hx = await anon.get('/events', { 'HX-Request': 'true' });
  assert.is(hx.status, 401);
  assert.is(hx.headers.get('hx-redirect'), '/sign-in?next=%2Fevents');
  assert.is((await anon.post('/sign-out', {})).status, 401);
  assert.is((await anon.post('/users', { email: 'x@example.com' })).status, 401);
  assert.is((await anon.get('/sign-in')).status, 200);
  assert.is((await anon.get('/assets/htmx.min.js')).status, 200);
});

t('sign-in: session cookie is HttpOnly + SameSite=Lax, Secure over HTTPS; redirects to next (local only)', async ({ f }) => {
  const c = new Client(f.app);
  const page = await (await c.get('/sign-in?next=/events?actor=aisha')).text();
  assert.match(page, /name="next" value="\/events\?actor=aisha"/);
  const token = /name="_csrf" value="([^"]+)"/.exec(page)![1];
  const res = await c.post('/sign-in', { _csrf: token, email: 'ADMIN@example.com', password: 'correct horse battery', next: '/events?actor=aisha' });
  assert.is(res.status, 303);
  assert.is(res.headers.get('location'), '/events?actor=aisha');
  const cookie = c.lastSetCookies.find((s) => s.startsWith('pgtrail_session='))!;
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.match(cookie, /Path=\//);
  assert.not.match(cookie, /Secure/, 'plain HTTP on localhost: no Secure flag');
  assert.is((await c.get('/events')).status, 200);

  const https = new Client(f.app, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.51' });
  await https.signIn('admin@example.com');
  assert.match(https.lastSetCookies.find((s) => s.startsWith('pgtrail_session='))!, /Secure/, 'HTTPS (via trusted proxy): Secure');

  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
    const other = new Client(f.app);
    const p = await (await other.get('/sign-in')).text();
    const r = await other.post('/sign-in', { _csrf: /name="_csrf" value="([^"]+)"/.exec(p)![1], email: 'admin@example.com', password: 'correct horse battery', next });
    assert.is(r.headers.get('location'), '/events', `no open redirect to ${next}`);
  }
});

t('sign-in, failed sign-in and sign-out are audit events with IP and user agent', async ({ f }) => {
  const since = await lastId(f);
  const c = new Client(f.app, { 'x-forwarded-for': '198.51.100.77', 'user-agent': 'Mozilla/5.0 (test) Chromium' });
  assert.is((await c.signIn('auditor@example.com', 'wrong password!')).status, 401);
  assert.is((await c.signIn('nobody@example.com', 'wrong password!')).status, 401);
  assert.is((await c.signIn('auditor@example.com')).status, 303);
  const csrf = await c.csrf();
  assert.is((await c.post('/sign-out', { _csrf: csrf })).status, 303);
  const events = await authEvents(f, since);
  assert.equal(events.map((e) => e.action), ['auth.sign_in_failed', 'auth.sign_in_failed', 'auth.sign_in', 'auth.sign_out']);
  for (const e of events) {
    assert.is(e.ip, '198.51.100.77');
    assert.is(e.user_agent, 'Mozilla/5.0 (test) Chromium');
    assert.is(e.actor_type, 'user');
  }
  assert.equal(events[0].metadata, { email: 'auditor@example.com', reason: 'bad_credentials' });
  assert.ok(events[0].target_id, 'a failure for a known user names the user');
  assert.is(events[1].target_id, null, 'an unknown email names nobody');
  assert.is(events[1].actor_name, 'nobody@example.com');
  assert.is(events[2].actor_name, 'auditor@example.com');
  assert.is(events[3].actor_id, events[2].actor_id);
});

t('lockout: after 3 failures the email is refused (429) even with the right password, until the lock ends', async ({ f }) => {
  const c = new Client(f.app, { 'x-forwarded-for': '192.0.2.9', 'user-agent': 'brute/1.0' });
  for (let i = 0; i < 3; i++) assert.is((await c.signIn('viewer@example.com', `guess number ${i}`)).status, 401);
  const locked = await c.signIn('viewer@example.com');
  assert.is(locked.status, 429);
  assert.match(await locked.text(), /Too many failed sign-ins\. Try again after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  const since = await lastId(f);
  assert.is((await c.signIn('viewer@example.com')).status, 429);
  const [event] = await authEvents(f, since);
  assert.equal(event.metadata, { email: 'viewer@example.com', reason: 'locked' });
  // Another email from elsewhere is not affected.
  assert.is((await new Client(f.app).signIn('admin@example.com')).status, 303);
  f.clock.now = new Date(f.clock.now.getTime() + 11 * 60_000);
  try {
    assert.is((await c.signIn('viewer@example.com')).status, 303, 'the lock has ended');
  } finally {
    f.clock.now = new Date();
  }
});

t('sign-in form: missing/forged form token or a cross-site post is refused (403); empty fields 400', async ({ f }) => {
  const c = new Client(f.app);
  await c.get('/sign-in');
  assert.is((await c.post('/sign-in', { _csrf: 'forged', email: 'admin@example.com', password: 'correct horse battery' })).status, 403);
  assert.is((await c.post('/sign-in', { email: 'admin@example.com', password: 'correct horse battery' })).status, 403);
  assert.ok(!c.cookies.has('pgtrail_session'));
  const page = await (await c.get('/sign-in')).text();
  const token = /name="_csrf" value="([^"]+)"/.exec(page)![1];
  assert.is((await c.post('/sign-in', { _csrf: token, email: 'admin@example.com', password: 'correct horse battery' }, { origin: 'https://evil.example' })).status, 403);
  const page2 = await (await c.get('/sign-in')).text();
  assert.is((await c.post('/sign-in', { _csrf: /name="_csrf" value="([^"]+)"/.exec(page2)![1], email: '', password: '' })).status, 400);
});

t('CSRF: state-changing requests without the session token, with another session\'s, or cross-site are refused', async ({ f }) => {
  const admin = new Client(f.app);
  await admin.signIn('admin@example.com');
  const other = new Client(f.app);
  await other.signIn('auditor@example.com');
  const otherToken = await other.csrf();
  const token = await admin.csrf();
  assert.is((await admin.post('/sign-out', {})).status, 403, 'no token');
  assert.is((await admin.post('/sign-out', { _csrf: otherToken })).status, 403, "another session's token");
  assert.is((await admin.post('/users', { email: 'new@example.com', role: 'viewer', password: 'long enough pw' })).status, 403);
  assert.is((await admin.post('/sign-out', { _csrf: token }, { origin: 'https://evil.example' })).status, 403, 'cross-site origin');
  assert.is((await admin.post('/sign-out', { _csrf: token }, { 'sec-fetch-site': 'cross-site' })).status, 403);
  assert.is((await admin.get('/events')).status, 200, 'still signed in after all the refusals');
  assert.is((await admin.request('/sign-out', { method: 'POST', headers: { 'x-csrf-token': token } })).status, 303, 'the htmx header works too');
});

t('sign-out deletes the session server-side: the old cookie no longer works', async ({ f }) => {
  const c = new Client(f.app);
  await c.signIn('viewer@example.com');
  const stolen = c.cookies.get('pgtrail_session')!;
  const before = Number((await f.db.pool.query('SELECT count(*) FROM console.sessions')).rows[0].count);
  assert.is((await c.post('/sign-out', { _csrf: await c.csrf() })).headers.get('location'), '/sign-in?signed_out=1');
  assert.ok(!c.cookies.has('pgtrail_session'), 'the cookie is cleared');
  assert.is(Number((await f.db.pool.query('SELECT count(*) FROM console.sessions')).rows[0].count), before - 1);
  const replay = new Client(f.app);
  replay.cookies.set('pgtrail_session', stolen);
  assert.is((await replay.get('/events')).status, 303);
  const { rows } = await f.db.pool.query('SELECT count(*)::int AS n FROM console.sessions WHERE token_hash = sha256($1::bytea)', [Buffer.from(stolen)]);
  assert.is(rows[0].n, 0);
});

t('sessions expire: idle after 60 minutes, absolutely after 12 hours', async ({ f }) => {
  const c = new Client(f.app);
  const start = new Date();
  f.clock.now = start;
  try {
    await c.signIn('viewer@example.com');
    f.clock.now = new Date(start.getTime() + 50 * 60_000);
    assert.is((await c.get('/events')).status, 200, 'active within the idle window (and refreshed)');
    f.clock.now = new Date(start.getTime() + 100 * 60_000);
    assert.is((await c.get('/events')).status, 200, 'still active: the last request was 50 minutes ago');
    f.clock.now = new Date(start.getTime() + 161 * 60_000);
    assert.is((await c.get('/events')).status, 303, 'idle for 61 minutes: signed out');

    const d = new Client(f.app);
    f.clock.now = start;
    await d.signIn('viewer@example.com');
    for (let m = 55; m < 12 * 60; m += 55) {
      f.clock.now = new Date(start.getTime() + m * 60_000);
      assert.is((await d.get('/events')).status, 200, `minute ${m}`);
    }
    f.clock.now = new Date(start.getTime() + 12 * 3_600_000 + 1000);
    assert.is((await d.get('/events')).status, 303, 'past 12 hours: signed out however active');
  } finally {
    f.clock.now = new Date();
  }
});

t('roles are enforced on the server: a viewer\'s forged export is refused, only admins manage users', async ({ f }) => {
  const viewer = new Client(f.app);
  await viewer.signIn('viewer@example.com');
  const list = await (await viewer.get('/events')).text();
  assert.not.match(list, /Export CSV/, 'no export buttons for viewers');
  assert.not.match(list, /href="\/users"/, 'no users link for viewers');
  for (const path of ['/export.csv', '/export.jsonl?action=insert']) assert.is((await viewer.get(path)).status, 403, path);
  assert.is((await viewer.get('/users')).status, 403);
  const token = await viewer.csrf();
  assert.is((await viewer.post('/users', { _csrf: token, email: 'sneaky@example.com', role: 'admin', password: 'long enough pw' })).status, 403);

  const auditor = new Client(f.app);
  await auditor.signIn('auditor@example.com');
  assert.match(await (await auditor.get('/events')).text(), /Export CSV/);
  const csv = await auditor.get('/export.csv');
  assert.is(csv.status, 200, 'auditors export');
  await csv.arrayBuffer();
  assert.is((await auditor.get('/users')).status, 403);
});

t('admins add and remove users (recorded, CSRF-checked); removing ends that user\'s sessions', async ({ f }) => {
  const admin = new Client(f.app);
  await admin.signIn('admin@example.com');
  const token = await admin.csrf();
  assert.is((await admin.post('/users', { _csrf: token, email: 'dana@example.com', role: 'auditor', password: 'short' })).status, 400);
  assert.is((await admin.post('/users', { _csrf: token, email: 'not an email', role: 'auditor', password: 'long enough pw' })).status, 400);
  assert.is((await admin.post('/users', { _csrf: token, email: 'dana@example.com', role: 'superuser', password: 'long enough pw' })).status, 400);
  const added = await admin.post('/users', { _csrf: token, email: 'dana@example.com', role: 'auditor', password: 'long enough pw' });
  assert.is(added.status, 303);
  const dup = await admin.post('/users', { _csrf: token, email: 'DANA@example.com', role: 'viewer', password: 'long enough pw' });
  assert.is(dup.status, 400);
  assert.match(await dup.text(), /already exists/);
  const dana = new Client(f.app);
  assert.is((await dana.signIn('dana@example.com', 'long enough pw')).status, 303);
  const { rows: [{ id }] } = await f.db.pool.query(`SELECT id FROM console.users WHERE email = 'dana@example.com'`);
  assert.is((await admin.post(`/users/${id}/delete`, { _csrf: token })).status, 303);
  assert.is((await dana.get('/events')).status, 303, "removed: the session is gone");
  const { rows } = await f.db.pool.query(`SELECT action, actor_name, metadata->>'email' AS email FROM audit.events WHERE action LIKE 'user.%' AND metadata->>'email' = 'dana@example.com' ORDER BY id`);
  assert.equal(rows, [
    { action: 'user.create', actor_name: 'admin@example.com', email: 'dana@example.com' },
    { action: 'user.delete', actor_name: 'admin@example.com', email: 'dana@example.com' },
  ]);
  const self = (await f.db.pool.query(`SELECT id FROM console.users WHERE email = 'admin@example.com'`)).rows[0].id;
  assert.is((await admin.post(`/users/${self}/delete`, { _csrf: token })).status, 400, 'not yourself');
});

t('security headers: a CSP that allows only the console\'s own scripts, no framing, nosniff', async ({ f }) => {
  const c = new Client(f.app);
  for (const path of ['/sign-in', '/events']) {
    const res = await c.get(path);
    const csp = res.headers.get('content-security-policy')!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.not.match(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.is(res.headers.get('x-content-type-options'), 'nosniff');
  }
  const html = await (await c.get('/sign-in')).text();
  assert.not.match(html, /<script(?![^>]*\bsrc="\/assets\/)/, 'no inline script');
  assert.not.match(html, /\son[a-z]+=/i, 'no inline event handlers');
  assert.not.match(html, /style=/, 'no inline styles');
  assert.match(html, /<script src="\/assets\/htmx\.min\.js"/);
  const htmx = await c.get('/assets/htmx.min.js');
  assert.match(htmx.headers.get('content-type')!, /javascript/);
  assert.match(await htmx.text(), /htmx/);
  assert.match((await c.get('/assets/console.css')).headers.get('content-type')!, /text\/css/);
  assert.is((await c.get('/assets/nothing.js')).status, 404);
});

t('the console runs as pgtrail_console: it reads audit, writes only its own tables', async ({ f }) => {
  const { rows } = await f.pool.query('SELECT current_user AS r, session_user AS s');
  assert.is(rows[0].r, 'pgtrail_console');
  await f.db.pool.query('CREATE TABLE public.business (id int); INSERT INTO public.business VALUES (1)');
  const refused = [
    `INSERT INTO audit.events (tx_id, action, target_type, actor_type, db_user) VALUES (1, 'insert', 'x', 'user', 'x')`,
    'UPDATE audit.events SET action = action',
    'DELETE FROM audit.events',
    'TRUNCATE audit.events',
    'SELECT * FROM public.business',
    'INSERT INTO public.business VALUES (2)',
    `DELETE FROM audit.settings`,
    'SELECT audit.set_retention(NULL)',
    'DROP TABLE console.sessions',
    'CREATE TABLE console.mine (id int)',
    'RESET ROLE',
  ];
  for (const statement of refused) {
    const client = await f.pool.connect();
    try {
      await client.query(statement);
      if (statement === 'RESET ROLE') {
        // RESET goes back to the session's startup role, which is pgtrail_console itself.
        assert.is((await client.query('SELECT current_user AS r')).rows[0].r, 'pgtrail_console', statement);
        continue;
      }
      assert.unreachable(`allowed: ${statement}`);
    } catch (error) {
      if ((error as Error).name === 'Assertion') throw error;
      assert.is((error as { code?: string }).code, SqlState.insufficientPrivilege, `${statement}: ${(error as Error).message}`);
    } finally {
      client.release();
    }
  }
  // What it may do:
  assert.ok((await f.pool.query('SELECT count(*) FROM audit.events')).rows[0]);
  assert.ok((await f.pool.query('SELECT count(*) FROM console.users')).rows[0]);
  const steps = await f.pool.query('SELECT * FROM audit.maintain()');
  assert.ok(Array.isArray(steps.rows), 'may run maintenance (fallback timer)');
});

t.run();
