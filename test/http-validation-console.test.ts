// Bad input to the console is a 400 saying what was wrong, never a 500, from the route validators
// (src/server/console/validators.ts): a malformed id in the path is the problem page (or its htmx
// fragment); a missing, repeated or oversized form field re-renders that form with the message.
// Each refusal is checked for its status and message, and that nothing happened; each route has a
// positive control with well-formed input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Client, consoleFixture, csrfFrom, PASSWORD, type ConsoleFixture } from './helpers/console.ts';

const t = suite<{ f: ConsoleFixture }>('http-validation-console');

t.before(async (ctx) => {
  ctx.f = await consoleFixture('http_validation_console');
});
t.after(async (ctx) => ctx.f?.close());

const signedIn = async (f: ConsoleFixture, email: string) => {
  const c = new Client(f.app);
  assert.is((await c.signIn(email)).status, 303, `sign-in of ${email}`);
  return c;
};
const userId = async (f: ConsoleFixture, email: string) => (await f.db.pool.query('SELECT id::text FROM console.users WHERE email = $1', [email])).rows[0]?.id as string | undefined;
const count = async (f: ConsoleFixture, sql: string, params: unknown[] = []) => Number((await f.db.pool.query(sql, params)).rows[0].n);
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

t('a malformed id in the path is a 400 problem page naming it; the htmx request gets the fragment', async ({ f }) => {
  const admin = await signedIn(f, 'admin@example.com');
  const csrf = await admin.csrf();
  const viewerId = (await userId(f, 'viewer@example.com'))!;
  const cases: Array<[() => Promise<Response>, string]> = [
    [() => admin.get('/users/abc'), 'id: "abc" is not a user id'],
    [() => admin.get('/users/9223372036854775808'), 'id: "9223372036854775808" is not a user id'],
    [() => admin.post('/users/1x/role', { _csrf: csrf, role: 'viewer' }), 'id: "1x" is not a user id'],
    [() => admin.post('/users/-1/delete', { _csrf: csrf }), 'id: "-1" is not a user id'],
    [() => admin.post(`/users/${viewerId}/sessions/xyz/end`, { _csrf: csrf }), 'sid: "xyz" is not a session id'],
    [() => admin.post('/tokens/1%20or%201/revoke', { _csrf: csrf }), 'id: "1 or 1" is not a token id'],
    [() => admin.post('/account/sessions/99999999999999999999/end', { _csrf: csrf }), 'id: "99999999999999999999" is not a session id'],
  ];
  for (const [send, message] of cases) {
    const res = await send();
    const body = await res.text();
    assert.is(res.status, 400, message);
    assert.ok(body.includes('<h1>Bad request</h1>'), `the problem page: ${message}`);
    assert.ok(body.includes(html(message)), `${message} in ${body.slice(0, 200)}`);
  }
  const fragment = await admin.get('/users/abc', { 'hx-request': 'true' });
  assert.is(fragment.status, 400);
  assert.is(await fragment.text(), `<section id="results" class="results"><div class="error-box" role="alert"><strong>Bad request.</strong> ${html('id: "abc" is not a user id')}</div></section>`);
  const page = await admin.get(`/users/${viewerId}`);
  assert.is(page.status, 200, 'positive control: a well-formed id opens the user');
  assert.ok((await page.text()).includes('viewer@example.com'));
  const viewer = await signedIn(f, 'viewer@example.com');
  assert.is((await viewer.get('/users/abc')).status, 403, 'the role check runs before the input check');
});

t('add user: a missing, repeated or oversized field re-renders the form with the message and adds no one', async ({ f }) => {
  const admin = await signedIn(f, 'admin@example.com');
  const csrf = await admin.csrf();
  const users = () => count(f, 'SELECT count(*) AS n FROM console.users');
  const before = await users();
  const cases: Array<[URLSearchParams, string]> = [
    [new URLSearchParams({ _csrf: csrf, email: 'new@example.com', role: 'viewer' }), 'password: is missing'],
    [new URLSearchParams({ _csrf: csrf, email: `${'e'.repeat(320)}@example.com`, role: 'viewer', password: PASSWORD }), 'email: is longer than 320 bytes'],
    [new URLSearchParams({ _csrf: csrf, email: 'new@example.com', role: 'viewer', password: 'p'.repeat(1025) }), 'password: is longer than 1024 bytes'],
    [new URLSearchParams([['_csrf', csrf], ['email', 'a@example.com'], ['email', 'b@example.com'], ['role', 'viewer'], ['password', PASSWORD]]), 'email: may be given only once'],
    [new URLSearchParams({ _csrf: csrf, email: 'new@example.com', role: 'root', password: PASSWORD }), 'role: must be one of admin, auditor, viewer (got "root")'],
  ];
  for (const [body, message] of cases) {
    const res = await admin.request('/users', { method: 'POST', body });
    const text = await res.text();
    assert.is(res.status, 400, message);
    assert.ok(text.includes('<h2>Add a user</h2>'), `the users page again: ${message}`);
    assert.ok(text.includes(`<p class="error-box" role="alert">${html(message)}</p>`), `${message} in the page`);
  }
  assert.is(await users(), before, 'no one was added');
  const added = await admin.post('/users', { _csrf: csrf, email: 'new@example.com', role: 'viewer', password: PASSWORD });
  assert.is(added.status, 303, 'positive control: the well-formed form adds the user');
  assert.is(await users(), before + 1);
});

t('role, policy and token forms refuse values outside their lists, naming the field', async ({ f }) => {
  const admin = await signedIn(f, 'admin@example.com');
  const csrf = await admin.csrf();
  const auditorId = (await userId(f, 'auditor@example.com'))!;
  const role = await admin.post(`/users/${auditorId}/role`, { _csrf: csrf, role: 'owner' });
  assert.is(role.status, 400);
  const rolePage = await role.text();
  assert.ok(rolePage.includes(html('role: must be one of admin, auditor, viewer (got "owner")')), rolePage.slice(0, 300));
  assert.ok(rolePage.includes('<h1>auditor@example.com</h1>'), 'the user page again');
  assert.is((await f.db.pool.query('SELECT role FROM console.users WHERE id = $1', [auditorId])).rows[0].role, 'auditor');

  const policy = await admin.request('/users/policy', { method: 'POST', body: new URLSearchParams([['_csrf', csrf], ['require_2fa', 'viewer'], ['require_2fa', 'root']]) });
  assert.is(policy.status, 400);
  assert.ok((await policy.text()).includes(html('require_2fa: "root" is not a role; use admin, auditor, viewer')));
  assert.is(await count(f, 'SELECT count(*) AS n FROM console.role_policies WHERE require_2fa'), 0, 'the valid half was not applied either');
  const valid = await admin.request('/users/policy', { method: 'POST', body: new URLSearchParams([['_csrf', csrf], ['require_2fa', 'viewer']]) });
  assert.is(valid.status, 303, 'positive control: the valid half alone is applied');
  assert.is(await count(f, 'SELECT count(*) AS n FROM console.role_policies WHERE require_2fa'), 1);

  const tokens = () => count(f, 'SELECT count(*) AS n FROM console.api_tokens');
  const before = await tokens();
  const token = await admin.post('/tokens', { _csrf: csrf, name: 'x'.repeat(201), role: 'viewer' });
  assert.is(token.status, 400);
  assert.ok((await token.text()).includes(html('name: is longer than 200 bytes')));
  const noRole = await admin.post('/tokens', { _csrf: csrf, name: 'siem-pull' });
  assert.is(noRole.status, 400);
  assert.ok((await noRole.text()).includes(html('role: is missing')));
  assert.is(await tokens(), before, 'no token was created');
  const created = await admin.post('/tokens', { _csrf: csrf, name: 'siem-pull', role: 'viewer' });
  assert.is(created.status, 200, 'positive control');
  assert.is(await tokens(), before + 1);
});

t('sign-in: an oversized or missing field is a 400 on the form, before any check, so it is not a failed sign-in', async ({ f }) => {
  const failures = () => count(f, `SELECT count(*) AS n FROM audit.events WHERE action = 'auth.sign_in_failed'`);
  const before = await failures();
  const c = new Client(f.app);
  const token = csrfFrom(await (await c.get('/sign-in')).text());
  const cases: Array<[Record<string, string>, string]> = [
    [{ _csrf: token, email: 'admin@example.com', password: 'p'.repeat(1025) }, 'password: is longer than 1024 bytes'],
    [{ _csrf: token, email: 'admin@example.com', password: 'é'.repeat(513) }, 'password: is longer than 1024 bytes'],
    [{ _csrf: token, email: 'admin@example.com' }, 'password: is missing'],
    [{ _csrf: token, email: 'a'.repeat(321), password: PASSWORD }, 'email: is longer than 320 bytes'],
    [{ _csrf: token, email: 'admin@example.com', password: PASSWORD, next: `/${'n'.repeat(2048)}` }, 'next: is longer than 2048 bytes'],
  ];
  for (const [form, message] of cases) {
    const res = await c.post('/sign-in', form);
    const text = await res.text();
    assert.is(res.status, 400, message);
    assert.ok(text.includes(html(message)), `${message} in the sign-in page`);
    assert.ok(/name="_csrf" value="[^"]+"/.test(text), 'the form again, with a fresh token');
  }
  assert.is(await failures(), before, 'none of them is a failed sign-in');
  const wrong = await new Client(f.app).signIn('admin@example.com', 'not the password');
  assert.is(wrong.status, 401, 'positive control: a well-formed wrong password is checked');
  assert.is(await failures(), before + 1);
  const multipart = await c.request('/sign-in', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: 'not multipart at all' });
  assert.is(multipart.status, 400, 'an unreadable body is a 400, not a 500');
  assert.match(await multipart.text(), /Malformed FormData request/);
});

t('account forms: an oversized new password is refused with the field named and the password is unchanged', async ({ f }) => {
  const c = await signedIn(f, 'auditor@example.com');
  const csrf = await c.csrf();
  const long = 'q'.repeat(1025);
  const res = await c.post('/account/password', { _csrf: csrf, current: PASSWORD, password: long, confirm: long });
  assert.is(res.status, 400);
  assert.ok((await res.text()).includes(html('password: is longer than 1024 bytes')));
  assert.is((await new Client(f.app).signIn('auditor@example.com')).status, 303, 'the old password still signs in');
  const code = await c.post('/account/2fa/remove', { _csrf: csrf });
  assert.is(code.status, 400);
  assert.ok((await code.text()).includes(html('password: is missing')));
});

t('unknown parameters on the console download are refused with the parameter named', async ({ f }) => {
  const auditor = await signedIn(f, 'auditor@example.com');
  const bad = await auditor.get('/export.csv?actor_idd=u1');
  assert.is(bad.status, 400);
  assert.match((await bad.json()).error, /^actor_idd: is not a parameter here; use /);
  const good = await auditor.get('/export.csv?actor_id=u1');
  assert.is(good.status, 200, 'positive control');
  await good.arrayBuffer();
});

t('revert: an unreadable body sent with the CSRF header is a 400, not a 500', async ({ f }) => {
  const admin = await signedIn(f, 'admin@example.com');
  const csrf = await admin.csrf();
  // htmx sends the token as a header, so the CSRF check never reads the body: the route must.
  const res = await admin.request('/events/1/revert', {
    method: 'POST', body: 'not multipart at all',
    headers: { 'content-type': 'multipart/form-data; boundary=x', 'x-csrf-token': csrf },
  });
  assert.is(res.status, 400);
  assert.match(await res.text(), /the form could not be read/);
  const readable = await admin.post('/events/1/revert', { _csrf: csrf, override: 'yes' });
  assert.is(readable.status, 400, 'control: a readable body reaches the route\'s own check');
  assert.match(await readable.text(), /override: must be/);
});

t.run();
