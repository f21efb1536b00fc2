// The console's own accounts through HTTP (app.request): changing my password, an admin's reset
// (new password due at the next sign-in; also `pgtrail user reset-password`), sessions listed and
// ended (mine, and anyone's by an admin), role changes, disabling, API tokens in the console —
// each refusal with its reason, and each step in the trail with IP and user agent.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli/main.ts';
import { verifyPassword } from '../src/accounts/passwords.ts';
import { changeRole, setDisabled } from '../src/accounts/users.ts';
import { UserError } from '../src/db/errors.ts';
import { Client, consoleFixture, csrfFrom, PASSWORD, type ConsoleFixture } from './helpers/console.ts';
import { addTestUser, testTotpKey } from './helpers/two-factor.ts';

const t = suite<{ f: ConsoleFixture }>('console-account');

t.before(async (ctx) => {
  ctx.f = await consoleFixture('console_account', { totpKey: testTotpKey() });
});
t.after(async (ctx) => ctx.f?.close());

const UA = { 'x-forwarded-for': '192.0.2.44', 'user-agent': 'account-test/2.0' };
const NEW = 'a brand new passphrase';

async function eventsSince(f: ConsoleFixture, since: number, actions: string[]) {
  const { rows } = await f.db.pool.query(
    `SELECT action, target_type, target_id, actor_type, actor_id, actor_name, host(ip) AS ip, user_agent, metadata
       FROM audit.events WHERE id > $1 AND action = ANY($2) ORDER BY id`, [since, actions]);
  return rows;
}
const lastId = async (f: ConsoleFixture) => Number((await f.db.pool.query('SELECT coalesce(max(id), 0) AS n FROM audit.events')).rows[0].n);
const admin = async (f: ConsoleFixture) => {
  const c = new Client(f.app, UA);
  assert.is((await c.signIn('admin@example.com')).status, 303);
  return c;
};
const signedIn = async (f: ConsoleFixture, email: string, password = PASSWORD) => {
  const c = new Client(f.app, UA);
  assert.is((await c.signIn(email, password)).status, 303, `sign-in of ${email}`);
  return c;
};

t('change my password: each refusal says why; success ends my other sessions, keeps this one, and is recorded', async ({ f }) => {
  const id = await addTestUser(f, 'changer@example.com');
  const c = await signedIn(f, 'changer@example.com');
  const other = await signedIn(f, 'changer@example.com');
  const change = async (current: string, password: string, confirm = password) => {
    const r = await c.post('/account/password', { _csrf: await c.csrf(), current, password, confirm });
    return { status: r.status, html: r.status === 303 ? r.headers.get('location')! : await r.text() };
  };
  const refusals: Array<[string, string, string | undefined, RegExp]> = [
    ['wrong password!!', NEW, undefined, /current password: that is not your current password/],
    [PASSWORD, 'short', undefined, /password: at least 10 characters/],
    [PASSWORD, 'changer@example.com', undefined, /must not contain your email address/],
    [PASSWORD, 'xx-changer-2026-xx', undefined, /must not contain your email address or its name part/],
    [PASSWORD, NEW, 'a brand new passphrasE', /The two new passwords differ/],
    [PASSWORD, PASSWORD, undefined, /must differ from the current one/],
    ['', NEW, undefined, /Enter your current password and the new one/],
  ];
  for (const [current, password, confirm, reason] of refusals) {
    const r = await change(current, password, confirm);
    assert.is(r.status, 400, String(reason));
    assert.match(r.html, reason);
  }
  const noCsrf = await c.post('/account/password', { current: PASSWORD, password: NEW, confirm: NEW });
  assert.is(noCsrf.status, 403, 'CSRF token missing');
  assert.ok(await verifyPassword(PASSWORD, (await f.db.pool.query('SELECT password_hash FROM console.users WHERE id = $1', [id])).rows[0].password_hash), 'nothing changed yet');

  const since = await lastId(f);
  const ok = await change(PASSWORD, NEW);
  assert.is(ok.status, 303);
  assert.match(ok.html, /^\/account\?notice=/);
  assert.is((await c.get('/events')).status, 200, 'this session goes on');
  assert.is((await other.get('/events')).status, 303, 'the other session ended');
  assert.is((await new Client(f.app, UA).signIn('changer@example.com')).status, 401, 'the old password no longer works');
  await signedIn(f, 'changer@example.com', NEW);
  const [e] = await eventsSince(f, since, ['auth.password_change']);
  assert.equal([e.target_type, e.target_id, e.actor_type, e.actor_id, e.ip, e.user_agent], ['console.user', id, 'user', id, '192.0.2.44', 'account-test/2.0']);
  assert.equal(e.metadata, { email: 'changer@example.com', sessions_ended: 1 });
});

t('admin reset: a temporary password shown once, the user\'s sessions end, and they must choose a new one before anything else', async ({ f }) => {
  const id = await addTestUser(f, 'forgot@example.com');
  const victim = await signedIn(f, 'forgot@example.com');
  const a = await admin(f);
  const since = await lastId(f);
  const reset = await a.post(`/users/${id}/reset-password`, { _csrf: await a.csrf() });
  assert.is(reset.status, 200);
  assert.is(reset.headers.get('cache-control'), 'no-store');
  const temporary = /id="temporary-password">([^<]+)</.exec(await reset.text())![1];
  assert.is((await victim.get('/events')).status, 303, 'their session ended');
  assert.not.match(await (await a.get(`/users/${id}`)).text(), new RegExp(temporary), 'shown once');
  assert.match(await (await a.get('/users')).text(), /new password due/);

  const u = new Client(f.app, UA);
  const signIn = await u.signIn('forgot@example.com', temporary);
  assert.is(signIn.status, 303);
  assert.is(signIn.headers.get('location'), '/account/password');
  for (const path of ['/events', '/account', '/account/2fa']) {
    const r = await u.get(path);
    assert.equal([r.status, r.headers.get('location')], [303, '/account/password'], path);
  }
  const form = await (await u.get('/account/password')).text();
  assert.match(form, /An admin reset your password/);
  assert.is((await u.post('/account/sessions/1/end', { _csrf: csrfFrom(form) })).status, 403, 'nothing else, POSTs included');
  const tooShort = await u.post('/account/password', { _csrf: csrfFrom(form), current: temporary, password: 'short', confirm: 'short' });
  assert.is(tooShort.status, 400);
  assert.match(await tooShort.text(), /at least 10 characters/);
  const done = await u.post('/account/password', { _csrf: csrfFrom(form), current: temporary, password: NEW, confirm: NEW });
  assert.is(done.status, 303);
  assert.is((await u.get('/events')).status, 200, 'the gate lifts');

  const events = await eventsSince(f, since, ['auth.password_reset', 'auth.sign_in', 'auth.password_change']);
  assert.equal(events.map((e) => [e.action, e.actor_name]), [['auth.password_reset', 'admin@example.com'], ['auth.sign_in', 'forgot@example.com'], ['auth.password_change', 'forgot@example.com']]);
  assert.equal(events[0].metadata, { email: 'forgot@example.com', sessions_ended: 1 });
  assert.equal([events[0].target_id, events[0].ip, events[0].user_agent], [id, '192.0.2.44', 'account-test/2.0']);
  assert.is(events[1].metadata.must_change_password, true);
  assert.is((await a.post(`/users/${(await f.db.pool.query(`SELECT id::text FROM console.users WHERE email = 'admin@example.com'`)).rows[0].id}/reset-password`, { _csrf: await a.csrf() })).status, 400, 'not their own');
});

t('pgtrail user reset-password <email>: prints only the temporary password, ends sessions, recorded as the database role; unknown email exit 2', async ({ f }) => {
  const id = await addTestUser(f, 'cli-reset@example.com');
  const c = await signedIn(f, 'cli-reset@example.com');
  const since = await lastId(f);
  let out = '', err = '';
  const code = await main(['user', 'reset-password', 'CLI-Reset@example.com'], { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: { DATABASE_URL: f.db.url } });
  assert.is(code, 0, err);
  assert.match(out, /^[A-Za-z0-9_-]{20}\n$/);
  assert.match(err, /temporary password for cli-reset@example.com \(they must choose a new one at the next sign-in/);
  assert.is((await c.get('/events')).status, 303, 'their session ended');
  const u = new Client(f.app, UA);
  assert.is((await u.signIn('cli-reset@example.com', out.trim())).headers.get('location'), '/account/password');
  const [e] = await eventsSince(f, since, ['auth.password_reset']);
  assert.equal([e.actor_type, e.target_id, e.metadata.sessions_ended], ['db_role', id, 1]);

  let err2 = '';
  assert.is(await main(['user', 'reset-password', 'nobody@example.com'], { stdout: () => {}, stderr: (s) => void (err2 += s), env: { DATABASE_URL: f.db.url } }), 2);
  assert.match(err2, /user reset-password: no user nobody@example.com/);
  let help = '';
  await main(['user', '--help'], { stdout: (s) => void (help += s), stderr: () => {}, env: {} });
  assert.match(help, /user reset-password <email>/);
  assert.match(help, /must choose their own at the next sign-in/);
});

t('my sessions: listed with IP, user agent and factors; I end another one of mine, not someone else\'s', async ({ f }) => {
  const id = await addTestUser(f, 'sessions@example.com');
  const c = await signedIn(f, 'sessions@example.com');
  const phone = new Client(f.app, { 'x-forwarded-for': '203.0.113.9', 'user-agent': 'Phone Browser 3' });
  await phone.signIn('sessions@example.com');
  const page = await (await c.get('/account')).text();
  const rows = [...page.matchAll(/<tr data-session="(\d+)">(.*?)<\/tr>/gs)];
  assert.is(rows.length, 2);
  const phoneRow = rows.find((r) => r[2].includes('Phone Browser 3'))!;
  assert.match(phoneRow[2], /203\.0\.113\.9/);
  assert.match(phoneRow[2], /<td>password<\/td>/);
  assert.match(phoneRow[2], /action="\/account\/sessions\/\d+\/end"/);
  assert.match(rows.find((r) => r !== phoneRow)![2], /this session/);

  const stranger = await signedIn(f, 'viewer@example.com');
  const strangerSession = (await f.db.pool.query(`SELECT s.id::text FROM console.sessions s JOIN console.users u ON u.id = s.user_id WHERE u.email = 'viewer@example.com' ORDER BY s.id DESC LIMIT 1`)).rows[0].id;
  const notMine = await c.post(`/account/sessions/${strangerSession}/end`, { _csrf: await c.csrf() });
  assert.is(notMine.status, 404);
  assert.match(await notMine.text(), /No such session of yours/);
  assert.is((await stranger.get('/events')).status, 200, 'their session is untouched');
  assert.is((await c.post('/account/sessions/abc/end', { _csrf: await c.csrf() })).status, 400);
  assert.is((await c.post(`/account/sessions/${phoneRow[1]}/end`, {})).status, 403, 'CSRF token missing');

  const since = await lastId(f);
  assert.is((await c.post(`/account/sessions/${phoneRow[1]}/end`, { _csrf: await c.csrf() })).status, 303);
  assert.is((await phone.get('/events')).status, 303, 'the phone is signed out');
  assert.is((await c.get('/events')).status, 200);
  const [e] = await eventsSince(f, since, ['auth.session_end']);
  assert.equal([e.actor_id, e.target_id, e.ip, e.user_agent], [id, id, '192.0.2.44', 'account-test/2.0']);
  assert.equal(e.metadata, { email: 'sessions@example.com', session_id: phoneRow[1], by: 'self', current: false });
});

t('admins see and end anyone\'s sessions (recorded as by admin); a viewer may not', async ({ f }) => {
  const id = await addTestUser(f, 'watched@example.com');
  const w = await signedIn(f, 'watched@example.com');
  const viewer = await signedIn(f, 'viewer@example.com');
  assert.is((await viewer.get(`/users/${id}`)).status, 403);
  const sid = (await f.db.pool.query('SELECT id::text FROM console.sessions WHERE user_id = $1', [id])).rows[0].id;
  const refused = await viewer.post(`/users/${id}/sessions/${sid}/end`, { _csrf: await viewer.csrf() });
  assert.is(refused.status, 403);
  assert.match(await refused.text(), /Your role \(viewer\) may not do this/);
  assert.is((await w.get('/events')).status, 200, 'refused: still signed in');

  const a = await admin(f);
  const page = await (await a.get(`/users/${id}`)).text();
  assert.match(page, new RegExp(`data-session="${sid}"`));
  assert.match(page, /account-test\/2\.0/);
  const since = await lastId(f);
  assert.is((await a.post(`/users/${id}/sessions/${sid}/end`, { _csrf: await a.csrf() })).status, 303);
  assert.is((await w.get('/events')).status, 303);
  assert.is((await a.post(`/users/${id}/sessions/${sid}/end`, { _csrf: await a.csrf() })).status, 404, 'gone already');
  const [e] = await eventsSince(f, since, ['auth.session_end']);
  assert.equal([e.actor_name, e.target_id, e.metadata.by, e.metadata.email, e.ip], ['admin@example.com', id, 'admin', 'watched@example.com', '192.0.2.44']);
});

t('role change: recorded with from and to; a bad role, the admin\'s own role and the last admin are refused; viewers may not', async ({ f }) => {
  const id = await addTestUser(f, 'promoted@example.com', 'viewer');
  const a = await admin(f);
  const adminId = (await f.db.pool.query(`SELECT id::text FROM console.users WHERE email = 'admin@example.com'`)).rows[0].id;
  const since = await lastId(f);
  const bad = await a.post(`/users/${id}/role`, { _csrf: await a.csrf(), role: 'root' });
  assert.is(bad.status, 400);
  assert.match(await bad.text(), /role: must be one of admin, auditor, viewer/);
  const own = await a.post(`/users/${adminId}/role`, { _csrf: await a.csrf(), role: 'viewer' });
  assert.is(own.status, 400);
  assert.match(await own.text(), /You cannot change your own role/);
  assert.is((await a.post(`/users/${id}/role`, { role: 'auditor' })).status, 403, 'CSRF token missing');
  const viewer = await signedIn(f, 'viewer@example.com');
  assert.is((await viewer.post(`/users/${id}/role`, { _csrf: await viewer.csrf(), role: 'admin' }, {})).status, 403);

  assert.is((await a.post(`/users/${id}/role`, { _csrf: await a.csrf(), role: 'admin' })).status, 303);
  assert.match(await (await a.get(`/users/${id}`)).text(), /<option value="admin" selected=""/);
  // The new admin's own session now has an admin's rights: they demote the viewer they were.
  const second = await signedIn(f, 'promoted@example.com');
  assert.is((await second.get('/tokens')).status, 200, 'the new role applies at once');
  assert.is((await a.post(`/users/${id}/role`, { _csrf: await a.csrf(), role: 'auditor' })).status, 303);
  assert.is((await second.get('/tokens')).status, 403, 'and so does the demotion');
  const events = await eventsSince(f, since, ['user.role_change']);
  assert.equal(events.map((e) => [e.target_id, e.metadata.from, e.metadata.to, e.actor_name]), [
    [id, 'viewer', 'admin', 'admin@example.com'],
    [id, 'admin', 'auditor', 'admin@example.com'],
  ]);
  assert.equal([events[0].ip, events[0].user_agent], ['192.0.2.44', 'account-test/2.0']);
});

t('the last admin who can sign in cannot be demoted or disabled (the change rolls back, event included)', async ({ f }) => {
  // Through the console an admin never acts on themselves, so the last enabled admin is only ever
  // reached by the functions directly (the CLI, a future caller): they refuse inside the transaction.
  const id = await addTestUser(f, 'solo-admin@example.com', 'admin');
  const client = await f.db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`UPDATE console.users SET disabled_at = now() WHERE role = 'admin' AND id <> $1`, [id]);
    const since = await lastId(f);
    for (const attempt of [() => changeRole(client, id, 'viewer'), () => setDisabled(client, id, true)]) {
      await client.query('SAVEPOINT s');
      try {
        await attempt();
        assert.unreachable('should refuse');
      } catch (error) {
        assert.instance(error, UserError);
        assert.match((error as Error).message, /last admin who can sign in/);
      }
      await client.query('ROLLBACK TO SAVEPOINT s');
    }
    assert.is((await client.query(`SELECT role, disabled_at FROM console.users WHERE id = $1`, [id])).rows[0].role, 'admin');
    assert.is((await client.query(`SELECT count(*)::int AS n FROM audit.events WHERE id > $1 AND action IN ('user.role_change', 'user.disable')`, [since])).rows[0].n, 0);
    await client.query(`UPDATE console.users SET disabled_at = NULL WHERE email = 'admin@example.com'`);
    assert.is((await changeRole(client, id, 'viewer'))!.user.role, 'viewer', 'control: with another admin it is allowed');
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
});

t('disable: sessions end, sign-in is refused with reason disabled (after the password only); enable restores it; both recorded', async ({ f }) => {
  const id = await addTestUser(f, 'disabled@example.com');
  const d = await signedIn(f, 'disabled@example.com');
  const a = await admin(f);
  const since = await lastId(f);
  assert.is((await a.post(`/users/${id}/disable`, {})).status, 403, 'CSRF token missing');
  assert.is((await d.get('/events')).status, 200, 'control: not disabled yet');
  assert.is((await a.post(`/users/${id}/disable`, { _csrf: await a.csrf() })).status, 303);
  assert.is((await d.get('/events')).status, 303, 'their session ended');
  assert.match(await (await a.get('/users')).text(), /<tr data-user="disabled@example.com">.*?disabled<\/span>/s);

  const wrongPassword = await new Client(f.app, UA).signIn('disabled@example.com', 'wrong password!');
  assert.is(wrongPassword.status, 401, 'without the password, a disabled account looks like any other');
  assert.match(await wrongPassword.text(), /That email and password do not match/);
  const refused = await new Client(f.app, UA).signIn('disabled@example.com');
  assert.is(refused.status, 403);
  assert.match(await refused.text(), /This account is disabled/);
  assert.is((await a.post(`/users/${id}/enable`, { _csrf: await a.csrf() })).status, 303);
  await signedIn(f, 'disabled@example.com');

  const adminId = (await f.db.pool.query(`SELECT id::text FROM console.users WHERE email = 'admin@example.com'`)).rows[0].id;
  const self = await a.post(`/users/${adminId}/disable`, { _csrf: await a.csrf() });
  assert.is(self.status, 400);
  assert.match(await self.text(), /You cannot disable yourself/);

  const events = await eventsSince(f, since, ['user.disable', 'user.enable', 'auth.sign_in_failed']);
  assert.equal(events.map((e) => [e.action, e.metadata.reason ?? e.metadata.sessions_ended]), [
    ['user.disable', 1], ['auth.sign_in_failed', 'bad_credentials'], ['auth.sign_in_failed', 'disabled'], ['user.enable', 0],
  ]);
  assert.equal([events[0].actor_name, events[0].target_id, events[0].ip, events[0].user_agent], ['admin@example.com', id, '192.0.2.44', 'account-test/2.0']);
  const log = await (await a.get('/sign-ins?reason=disabled&result=failed')).text();
  assert.match(log, /data-reason="disabled"/, 'the sign-in log filters by the new reason');
});

t('API tokens in the console: listed, created (shown once, works on the API), revoked (stops working); admins only; each recorded', async ({ f }) => {
  const viewer = await signedIn(f, 'viewer@example.com');
  assert.is((await viewer.get('/tokens')).status, 403);
  assert.is((await viewer.post('/tokens', { _csrf: await viewer.csrf(), name: 'sneaky', role: 'admin' })).status, 403);
  assert.not.match(await (await viewer.get('/events')).text(), /href="\/tokens"/, 'no Tokens link for viewers');

  const a = await admin(f);
  assert.match(await (await a.get('/events')).text(), /href="\/tokens"/);
  const since = await lastId(f);
  const bad = await a.post('/tokens', { _csrf: await a.csrf(), name: 'Bad Name', role: 'auditor' });
  assert.is(bad.status, 400);
  assert.match(await bad.text(), /token name &quot;Bad Name&quot; must be 1-63 characters/);
  const badRole = await a.post('/tokens', { _csrf: await a.csrf(), name: 'x', role: 'owner' });
  assert.is(badRole.status, 400);
  assert.match(await badRole.text(), /role: must be one of/);
  assert.is((await a.post('/tokens', { name: 'siem-pull', role: 'auditor' })).status, 403, 'CSRF token missing');

  const created = await a.post('/tokens', { _csrf: await a.csrf(), name: 'siem-pull', role: 'auditor' });
  assert.is(created.status, 200);
  assert.is(created.headers.get('cache-control'), 'no-store');
  const token = /id="new-token">(pgt_[A-Za-z0-9_-]{43})</.exec(await created.text())![1];
  const api = (tok: string) => f.app.request('http://localhost/api/v1/events?limit=1', { headers: { authorization: `Bearer ${tok}` } });
  assert.is((await api(token)).status, 200);
  const list = await (await a.get('/tokens')).text();
  assert.not.match(list, new RegExp(token), 'shown once');
  assert.match(list, /<tr data-token="siem-pull">.*?live.*?by admin@example.com/s);
  const dup = await a.post('/tokens', { _csrf: await a.csrf(), name: 'siem-pull', role: 'viewer' });
  assert.is(dup.status, 400);
  assert.match(await dup.text(), /a live token named &quot;siem-pull&quot; exists/);

  const tokenId = (await f.db.pool.query(`SELECT id::text FROM console.api_tokens WHERE name = 'siem-pull' AND revoked_at IS NULL`)).rows[0].id;
  assert.is((await a.post(`/tokens/${tokenId}/revoke`, {})).status, 403, 'CSRF token missing');
  assert.is((await api(token)).status, 200, 'control: still live');
  assert.is((await a.post(`/tokens/${tokenId}/revoke`, { _csrf: await a.csrf() })).status, 303);
  assert.is((await api(token)).status, 401, 'revoked: refused at once');
  assert.is((await a.post(`/tokens/${tokenId}/revoke`, { _csrf: await a.csrf() })).status, 404);

  const events = await eventsSince(f, since, ['api_token.create', 'api_token.revoke']);
  assert.equal(events.map((e) => [e.action, e.target_type, e.target_id, e.actor_type, e.actor_name, e.ip, e.user_agent]), [
    ['api_token.create', 'api_token', tokenId, 'user', 'admin@example.com', '192.0.2.44', 'account-test/2.0'],
    ['api_token.revoke', 'api_token', tokenId, 'user', 'admin@example.com', '192.0.2.44', 'account-test/2.0'],
  ]);
  assert.equal(events[0].metadata, { name: 'siem-pull', role: 'auditor' });
});

t.run();
