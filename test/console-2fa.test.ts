// Two-factor sign-in through HTTP (app.request): enrolment (QR + typed secret, confirm, ten
// recovery codes, expiry), the second sign-in step (pending token, wrong / replayed codes,
// recovery codes once each, lockout shared with passwords), what a wrong password reveals (nothing),
// the per-role requirement, removal by the user and by an admin, CSRF and roles — and the sign-in
// log's events for each, with IP and user agent.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { open } from '../src/accounts/secret-box.ts';
import { otpauthUri } from '../src/accounts/totp.ts';
import { Client, consoleFixture, csrfFrom, PASSWORD, type ConsoleFixture } from './helpers/console.ts';
import { addTestUser, codeAt, codeStep, enrol, passwordStep, recoveryCodesFrom, secretFrom, testTotpKey } from './helpers/two-factor.ts';

const t = suite<{ f: ConsoleFixture; key: Buffer }>('console-2fa');

t.before(async (ctx) => {
  ctx.key = testTotpKey();
  ctx.f = await consoleFixture('console_2fa', { totpKey: ctx.key });
});
t.after(async (ctx) => ctx.f?.close());

const UA = { 'x-forwarded-for': '198.51.100.23', 'user-agent': 'two-factor-test/1.0' };

async function eventsSince(f: ConsoleFixture, since: number, actions?: string[]) {
  const { rows } = await f.db.pool.query(
    `SELECT action, target_id, actor_type, actor_id, actor_name, host(ip) AS ip, user_agent, metadata
       FROM audit.events WHERE id > $1 AND ($2::text[] IS NULL OR action = ANY($2)) ORDER BY id`, [since, actions ?? null]);
  return rows;
}
const lastId = async (f: ConsoleFixture) => Number((await f.db.pool.query('SELECT coalesce(max(id), 0) AS n FROM audit.events')).rows[0].n);

/** A fresh user, signed in on a client of their own. */
async function signedIn(f: ConsoleFixture, email: string, role = 'viewer') {
  const id = await addTestUser(f, email, role);
  const c = new Client(f.app, UA);
  assert.is((await c.signIn(email)).status, 303);
  return { id, c };
}

t('enrol: QR code and typed secret for a started set-up, a wrong code refused, the right one shows ten recovery codes once', async ({ f, key }) => {
  const since = await lastId(f);
  const { id, c } = await signedIn(f, 'enrol@example.com');
  const account = await (await c.get('/account')).text();
  assert.match(account, /Two-factor sign-in<\/h2>\s*<p><strong>Off\.<\/strong>/);
  const intro = await (await c.get('/account/2fa')).text();
  assert.not.match(intro, /id="totp-secret"/, 'looking at the page starts nothing');
  assert.match(intro, /action="\/account\/2fa\/start"/);

  assert.is((await c.post('/account/2fa/start', { _csrf: await c.csrf() })).status, 303);
  const page = await (await c.get('/account/2fa')).text();
  const secret = secretFrom(page);
  assert.is(secret.length, 20);
  assert.match(page, /<svg class="qr"[^>]*viewBox="0 0 (\d+) \1"/, 'an inline SVG QR code');
  assert.match(page, /<path fill="#000" d="(M\d+ \d+h1v1h-1z)+"/);
  assert.match(page, /aria-label="QR code for pgtrail: enrol@example.com"/);
  assert.not.match(page, /<img|https?:\/\/(?!www\.w3\.org)/, 'nothing fetched from elsewhere');

  // Stored sealed, never as the secret itself; it opens only with the key and this user's id.
  const { rows: [row] } = await f.db.pool.query('SELECT secret_sealed, confirmed_at FROM console.user_totp WHERE user_id = $1', [id]);
  assert.is(row.confirmed_at, null);
  assert.not.ok(row.secret_sealed.includes(secretFrom(page).toString('base64url')));
  assert.not.ok(row.secret_sealed.includes(/id="totp-secret">([A-Z2-7 ]+)</.exec(page)![1].replace(/ /g, '')));
  assert.equal(open(key, row.secret_sealed, id), secret);
  assert.is(open(testTotpKey(), row.secret_sealed, id), null, 'another key cannot open it');

  const wrong = await c.post('/account/2fa/confirm', { _csrf: csrfFrom(page), code: codeAt(secret, f.clock.now, 3) });
  assert.is(wrong.status, 400);
  assert.match(await wrong.text(), /That code does not match/);
  const right = await c.post('/account/2fa/confirm', { _csrf: csrfFrom(page), code: codeAt(secret, f.clock.now) });
  assert.is(right.status, 200);
  assert.is(right.headers.get('cache-control'), 'no-store');
  const codes = recoveryCodesFrom(await right.text());
  assert.is(codes.length, 10);
  assert.is(new Set(codes).size, 10);

  const { rows: stored } = await f.db.pool.query('SELECT code_hash FROM console.recovery_codes WHERE user_id = $1', [id]);
  assert.is(stored.length, 10);
  for (const r of stored) assert.is(r.code_hash.length, 32, 'scrypt output, not the code');
  assert.not.match(await (await c.get('/account')).text(), new RegExp(codes[0]), 'shown once: the account page does not repeat them');
  assert.match(await (await c.get('/account')).text(), /<strong class="on">On\.<\/strong>.*Recovery codes left: <strong>10<\/strong>/s);
  assert.is((await c.get('/account/2fa')).status, 303, 'enrolled: the set-up page sends back to the account');
  assert.is((await c.post('/account/2fa/start', { _csrf: await c.csrf() })).status, 400, 'a second start is refused while enrolled');

  const events = await eventsSince(f, since, ['auth.2fa_failed', 'auth.2fa_enrol']);
  assert.equal(events.map((e) => [e.action, e.metadata.reason ?? null, e.metadata.stage ?? null]), [['auth.2fa_failed', 'wrong_code', 'enrol'], ['auth.2fa_enrol', null, null]]);
  for (const e of events) {
    assert.equal([e.actor_type, e.actor_id, e.target_id, e.ip, e.user_agent], ['user', id, id, '198.51.100.23', 'two-factor-test/1.0']);
  }
  assert.equal(events[1].metadata, { email: 'enrol@example.com', method: 'totp', recovery_codes: 10 });
});

t('enrol: a set-up not confirmed within ten minutes expires; its code is refused and a new start gives a new secret', async ({ f }) => {
  const since = await lastId(f);
  const { id, c } = await signedIn(f, 'late@example.com');
  await c.post('/account/2fa/start', { _csrf: await c.csrf() });
  const page = await (await c.get('/account/2fa')).text();
  const secret = secretFrom(page);
  const start = f.clock.now;
  try {
    f.clock.now = new Date(start.getTime() + 10 * 60_000 + 1000);
    const late = await c.post('/account/2fa/confirm', { _csrf: csrfFrom(page), code: codeAt(secret, f.clock.now) });
    assert.is(late.status, 400);
    assert.match(await late.text(), /This set-up expired before it was confirmed/);
    assert.is((await f.db.pool.query('SELECT count(*)::int AS n FROM console.user_totp WHERE user_id = $1', [id])).rows[0].n, 0, 'the stale secret is gone');
    assert.not.match(await (await c.get('/account/2fa')).text(), /id="totp-secret"/, 'the page offers a new start');
    await c.post('/account/2fa/start', { _csrf: await c.csrf() });
    const again = secretFrom(await (await c.get('/account/2fa')).text());
    assert.not.equal(again, secret);
  } finally {
    f.clock.now = start;
  }
  const events = await eventsSince(f, since, ['auth.2fa_failed']);
  assert.equal(events.map((e) => e.metadata.reason), ['expired']);
});

t('sign-in with 2FA: the password gives a code form and no session; a wrong code is refused; the right one signs in with both factors', async ({ f }) => {
  const { id, c } = await signedIn(f, 'two@example.com');
  const { secret } = await enrol(c, f);
  await c.post('/sign-out', { _csrf: await c.csrf() });
  // A minute later: the enrolment spent its step's code, the codes since are fresh.
  const start = f.clock.now;
  f.clock.now = new Date(start.getTime() + 60_000);
  try {
    const since = await lastId(f);
    const b = new Client(f.app, UA);
    const step1 = await passwordStep(b, 'two@example.com');
    assert.is(step1.status, 200);
    assert.match(step1.html, /action="\/sign-in\/2fa"/);
    assert.not.ok(b.cookies.has('pgtrail_session'), 'no session before the code');
    const pending = b.lastSetCookies.find((s) => s.startsWith('pgtrail_pending='))!;
    assert.match(pending, /HttpOnly/);
    assert.match(pending, /SameSite=Strict/);
    assert.match(pending, /Path=\/sign-in/);
    assert.match(pending, /Max-Age=300/);
    assert.is((await b.get('/events')).status, 303, 'the pending sign-in opens nothing');

    const wrong = await codeStep(b, codeAt(secret, f.clock.now, 5), step1.html);
    assert.is(wrong.status, 401);
    const wrongHtml = await wrong.text();
    assert.match(wrongHtml, /That code is not right/);
    assert.not.ok(b.cookies.has('pgtrail_session'));
    const ok = await codeStep(b, codeAt(secret, f.clock.now, -1), wrongHtml);
    assert.is(ok.status, 303, 'the previous step is still accepted (±1)');
    assert.is(ok.headers.get('location'), '/events');
    assert.ok(b.cookies.has('pgtrail_session'));
    assert.not.ok(b.cookies.has('pgtrail_pending'), 'the pending cookie is cleared');
    assert.is((await b.get('/events')).status, 200);

    const events = await eventsSince(f, since, ['auth.sign_in', 'auth.2fa_failed', 'auth.sign_in_failed']);
    assert.equal(events.map((e) => e.action), ['auth.2fa_failed', 'auth.sign_in']);
    assert.equal(events[0].metadata, { email: 'two@example.com', reason: 'wrong_code' });
    assert.equal(events[1].metadata, { method: 'password+totp', factors: ['password', 'totp'], role: 'viewer' });
    for (const e of events) assert.equal([e.actor_id, e.ip, e.user_agent], [id, '198.51.100.23', 'two-factor-test/1.0']);
    const { rows } = await f.db.pool.query(`SELECT factors FROM console.sessions WHERE user_id = $1`, [id]);
    assert.equal(rows.map((r) => r.factors), [['password', 'totp']]);
  } finally {
    f.clock.now = start;
  }
});

t('a wrong password gets the same answer whether or not the account has 2FA (it says nothing about the second factor)', async ({ f }) => {
  const { c } = await signedIn(f, 'hidden@example.com');
  await enrol(c, f);
  await addTestUser(f, 'plain@example.com');
  const answer = async (email: string) => {
    const r = await passwordStep(new Client(f.app, UA), email, 'not the password!');
    return { status: r.status, body: r.html.replace(/name="_csrf" value="[^"]+"/, '').replace(/value="[^"]*@example.com"/, '') };
  };
  const with2fa = await answer('hidden@example.com');
  const without = await answer('plain@example.com');
  const nobody = await answer('nobody@example.com');
  assert.is(with2fa.status, 401);
  assert.equal(with2fa, without);
  assert.equal(with2fa, nobody);
  assert.not.match(with2fa.body, /sign-in\/2fa|two-factor|authenticator/i);
  assert.match(with2fa.body, /That email and password do not match/);
});

t('a used code cannot be replayed within its window; the next step\'s code works', async ({ f }) => {
  const { c } = await signedIn(f, 'replay@example.com');
  const { secret } = await enrol(c, f);
  const start = f.clock.now;
  try {
    // The enrolment used the current step: the same code is a replay at once.
    const b = new Client(f.app, UA);
    const first = await passwordStep(b, 'replay@example.com');
    const replay = await codeStep(b, codeAt(secret, f.clock.now), first.html);
    assert.is(replay.status, 401);
    assert.match(await replay.text(), /That code was used already/);
    f.clock.now = new Date(start.getTime() + 30_000);
    const code = codeAt(secret, f.clock.now);
    const again = await passwordStep(b, 'replay@example.com');
    assert.is((await codeStep(b, code, again.html)).status, 303);
    // …and once used at sign-in, the same code is refused to another browser in the same window.
    const other = new Client(f.app, UA);
    const o = await passwordStep(other, 'replay@example.com');
    assert.is((await codeStep(other, code, o.html)).status, 401);
    const { rows } = await f.db.pool.query(`SELECT metadata->>'reason' AS r FROM audit.events WHERE action = 'auth.2fa_failed' AND metadata->>'email' = 'replay@example.com' ORDER BY id`);
    assert.equal(rows.map((r) => r.r), ['replayed_code', 'replayed_code']);
  } finally {
    f.clock.now = start;
  }
});

t('recovery codes sign in once each; a second use is refused and logged', async ({ f }) => {
  const { id, c } = await signedIn(f, 'recover@example.com');
  const { codes } = await enrol(c, f);
  const since = await lastId(f);
  const b = new Client(f.app, UA);
  const p = await passwordStep(b, 'recover@example.com');
  const used = await codeStep(b, codes[3].toUpperCase().replace('-', ' '), p.html);
  assert.is(used.status, 303, 'typed in capitals with a space: still the code');
  assert.is((await b.get('/events')).status, 200);

  const b2 = new Client(f.app, UA);
  const p2 = await passwordStep(b2, 'recover@example.com');
  const twice = await codeStep(b2, codes[3], p2.html);
  assert.is(twice.status, 401);
  assert.match(await twice.text(), /That recovery code was used already/);
  assert.not.ok(b2.cookies.has('pgtrail_session'));

  const events = await eventsSince(f, since, ['auth.recovery_code_used', 'auth.sign_in', 'auth.2fa_failed']);
  assert.equal(events.map((e) => e.action), ['auth.recovery_code_used', 'auth.sign_in', 'auth.2fa_failed']);
  assert.equal(events[0].metadata, { email: 'recover@example.com', recovery_codes_left: 9 });
  assert.equal(events[1].metadata.factors, ['password', 'recovery_code']);
  assert.is(events[2].metadata.reason, 'used_recovery_code');
  for (const e of events) assert.equal([e.actor_id, e.ip, e.user_agent], [id, '198.51.100.23', 'two-factor-test/1.0']);
  assert.match(await (await c.get('/account')).text(), /Recovery codes left: <strong>9<\/strong>/);
});

t('five wrong codes lock the account like five wrong passwords: the right code and the right password are then refused (429)', async ({ f }) => {
  const { c } = await signedIn(f, 'locked2fa@example.com');
  const { secret } = await enrol(c, f);
  const start = f.clock.now;
  try {
    f.clock.now = new Date(start.getTime() + 60_000);
    const b = new Client(f.app, { ...UA, 'x-forwarded-for': '198.51.100.24' });
    let html = (await passwordStep(b, 'locked2fa@example.com')).html;
    for (let i = 0; i < 5; i++) {
      const r = await codeStep(b, codeAt(secret, f.clock.now, 5 + i), html);
      assert.is(r.status, 401, `wrong code ${i + 1}`);
      html = await r.text();
    }
    const right = await codeStep(b, codeAt(secret, f.clock.now), html);
    assert.is(right.status, 429, 'locked: the right code is not even checked');
    assert.match(await right.text(), /Too many failed attempts/);
    assert.not.ok(b.cookies.has('pgtrail_session'));
    const again = await passwordStep(new Client(f.app, UA), 'locked2fa@example.com');
    assert.is(again.status, 429, 'the password step is locked too (same counter)');
    // The code was not spent by the refused attempt: after the lock it still works.
    f.clock.now = new Date(f.clock.now.getTime() + 15 * 60_000 + 1000);
    const later = new Client(f.app, UA);
    const p = await passwordStep(later, 'locked2fa@example.com');
    assert.is((await codeStep(later, codeAt(secret, f.clock.now), p.html)).status, 303);
    const { rows } = await f.db.pool.query(`SELECT metadata->>'reason' AS r FROM audit.events WHERE action = 'auth.2fa_failed' AND metadata->>'email' = 'locked2fa@example.com' ORDER BY id`);
    assert.equal(rows.map((r) => r.r), ['wrong_code', 'wrong_code', 'wrong_code', 'wrong_code', 'wrong_code', 'locked']);
  } finally {
    f.clock.now = start;
  }
});

t('the code step needs a live pending sign-in of this server for the current password, and its form token', async ({ f }) => {
  const { id, c } = await signedIn(f, 'pending@example.com');
  const { secret } = await enrol(c, f);
  const start = f.clock.now;
  try {
    f.clock.now = new Date(start.getTime() + 90_000);
    const anon = new Client(f.app, UA);
    assert.is((await anon.get('/sign-in/2fa')).status, 303, 'no pending sign-in: back to the password');
    const noPending = await anon.post('/sign-in/2fa', { _csrf: csrfFrom(await (await anon.get('/sign-in')).text()), code: codeAt(secret, f.clock.now) });
    assert.is(noPending.status, 401);
    assert.match(await noPending.text(), /Your sign-in expired/);

    const b = new Client(f.app, UA);
    const p = await passwordStep(b, 'pending@example.com');
    const token = b.cookies.get('pgtrail_pending')!;
    // Another user's id in a token signed for this one.
    b.cookies.set('pgtrail_pending', token.replace(/^\d+\./, '1.'));
    const altered = await codeStep(b, codeAt(secret, f.clock.now), p.html);
    assert.is(altered.status, 401, 'altered token');
    assert.match(await altered.text(), /Your sign-in expired/);
    b.cookies.set('pgtrail_pending', token);
    const noCsrf = await b.post('/sign-in/2fa', { code: codeAt(secret, f.clock.now) });
    assert.is(noCsrf.status, 403, 'form token missing');
    const noCsrfHtml = await noCsrf.text();
    assert.match(noCsrfHtml, /The form expired or came from another site/);
    const crossSite = await b.post('/sign-in/2fa', { _csrf: csrfFrom(noCsrfHtml), code: codeAt(secret, f.clock.now) }, { 'sec-fetch-site': 'cross-site' });
    assert.is(crossSite.status, 403, 'from another site');
    const formHtml = await crossSite.text();

    // An admin's reset in between voids the pending sign-in (it is bound to the password hash).
    const admin = new Client(f.app, UA);
    await admin.signIn('admin@example.com');
    assert.is((await admin.post(`/users/${id}/reset-password`, { _csrf: await admin.csrf() })).status, 200);
    const afterReset = await codeStep(b, codeAt(secret, f.clock.now), formHtml);
    assert.is(afterReset.status, 401);
    assert.match(await afterReset.text(), /Your sign-in expired/);

    assert.not.ok(b.cookies.has('pgtrail_session'), 'none of the refused attempts signed in');
  } finally {
    f.clock.now = start;
  }
});

t('the pending sign-in expires after five minutes', async ({ f }) => {
  const { c } = await signedIn(f, 'slow@example.com');
  const { secret } = await enrol(c, f);
  const start = f.clock.now;
  try {
    f.clock.now = new Date(start.getTime() + 120_000);
    const b = new Client(f.app, UA);
    const p = await passwordStep(b, 'slow@example.com');
    f.clock.now = new Date(f.clock.now.getTime() + 5 * 60_000 + 1000);
    const late = await codeStep(b, codeAt(secret, f.clock.now), p.html);
    assert.is(late.status, 401);
    assert.match(await late.text(), /Your sign-in expired before the code was entered/);
    const p2 = await passwordStep(b, 'slow@example.com');
    assert.is((await codeStep(b, codeAt(secret, f.clock.now), p2.html)).status, 303, 'control: a fresh password step works');
  } finally {
    f.clock.now = start;
  }
});

t('admins require 2FA for a role: its users must enrol before they see anything else; viewers cannot set the policy', async ({ f }) => {
  const since = await lastId(f);
  const viewer = new Client(f.app, UA);
  await viewer.signIn('viewer@example.com');
  const refused = await viewer.post('/users/policy', { _csrf: await viewer.csrf(), require_2fa: 'auditor' });
  assert.is(refused.status, 403, 'a viewer may not');
  assert.match(await refused.text(), /Your role \(viewer\) may not do this/);

  const admin = new Client(f.app, UA);
  await admin.signIn('admin@example.com');
  const bad = await admin.post('/users/policy', { _csrf: await admin.csrf(), require_2fa: 'root' });
  assert.is(bad.status, 400);
  assert.match(await bad.text(), /require_2fa: &quot;root&quot; is not a role/);
  const set = await admin.post('/users/policy', { _csrf: await admin.csrf(), require_2fa: 'auditor' });
  assert.is(set.status, 303);
  assert.match(await (await admin.get('/users')).text(), /name="require_2fa" value="auditor" checked/);

  try {
    const a = new Client(f.app, UA);
    const signIn = await a.signIn('auditor@example.com');
    assert.is(signIn.status, 303);
    assert.is(signIn.headers.get('location'), '/account/2fa');
    for (const path of ['/events', '/sign-ins', '/account', '/export.csv']) {
      const r = await a.get(path);
      assert.is(r.status, 303, path);
      assert.is(r.headers.get('location'), '/account/2fa', path);
    }
    assert.is((await a.get('/events', { 'HX-Request': 'true' })).headers.get('hx-redirect'), '/account/2fa');
    const page = await (await a.get('/account/2fa')).text();
    assert.match(page, /Your role requires two-factor sign-in/);
    const blocked = await a.post('/account/password', { _csrf: csrfFrom(page), current: PASSWORD, password: 'another long password', confirm: 'another long password' });
    assert.is(blocked.status, 403, 'nothing else, not even other account changes');
    await enrol(a, f);
    assert.is((await a.get('/events')).status, 200, 'enrolled: the console opens');
    const account = await (await a.get('/account')).text();
    assert.match(account, /Your role requires two-factor sign-in, so it cannot be turned off here/);
    assert.is((await a.post('/account/2fa/remove', { _csrf: await a.csrf(), password: PASSWORD })).status, 400, 'cannot turn it off while required');
  } finally {
    await admin.post('/users/policy', { _csrf: await admin.csrf() });
  }
  const events = await eventsSince(f, since, ['auth.2fa_policy', 'auth.sign_in']);
  const auditorId = (await f.db.pool.query(`SELECT id::text FROM console.users WHERE email = 'auditor@example.com'`)).rows[0].id;
  assert.equal(events.filter((e) => e.action === 'auth.2fa_policy').map((e) => [e.metadata.role, e.metadata.require_2fa, e.actor_name]),
    [['auditor', true, 'admin@example.com'], ['auditor', false, 'admin@example.com']]);
  const auditorSignIn = events.find((e) => e.action === 'auth.sign_in' && e.actor_id === auditorId)!;
  assert.is(auditorSignIn.metadata.must_enrol_2fa, true);
});

t('a user turns their own second factor off with their password; an admin removes anyone\'s; an auditor may not', async ({ f }) => {
  const since = await lastId(f);
  const { id, c } = await signedIn(f, 'remove@example.com');
  await enrol(c, f);
  const wrong = await c.post('/account/2fa/remove', { _csrf: await c.csrf(), password: 'not my password' });
  assert.is(wrong.status, 400);
  assert.match(await wrong.text(), /not your current password/);
  assert.is((await c.post('/account/2fa/remove', { _csrf: await c.csrf(), password: PASSWORD })).status, 303);
  assert.is((await passwordStep(new Client(f.app, UA), 'remove@example.com')).status, 303, 'password alone signs in again');

  await enrol(c, f);
  await addTestUser(f, 'auditor-2fa@example.com', 'auditor');
  const auditor = new Client(f.app, UA);
  assert.is((await auditor.signIn('auditor-2fa@example.com')).status, 303);
  assert.is((await auditor.post(`/users/${id}/2fa/remove`, { _csrf: await auditor.csrf() })).status, 403);
  assert.is((await auditor.get(`/users/${id}`)).status, 403);
  const admin = new Client(f.app, UA);
  await admin.signIn('admin@example.com');
  assert.match(await (await admin.get(`/users/${id}`)).text(), /Remove second factor/);
  assert.is((await admin.post(`/users/${id}/2fa/remove`, {})).status, 403, 'CSRF token missing');
  assert.is((await admin.post(`/users/${id}/2fa/remove`, { _csrf: await admin.csrf() })).status, 303);
  assert.is((await admin.post(`/users/${id}/2fa/remove`, { _csrf: await admin.csrf() })).status, 400, 'nothing left to remove');
  assert.is((await f.db.pool.query('SELECT count(*)::int AS n FROM console.recovery_codes WHERE user_id = $1', [id])).rows[0].n, 0, 'recovery codes go with it');
  assert.is((await passwordStep(new Client(f.app, UA), 'remove@example.com')).status, 303);

  const events = await eventsSince(f, since, ['auth.2fa_remove']);
  assert.equal(events.map((e) => [e.metadata.by, e.actor_name, e.target_id, e.ip]), [
    ['self', 'remove@example.com', id, '198.51.100.23'],
    ['admin', 'admin@example.com', id, '198.51.100.23'],
  ]);
});

t('CSRF: starting and confirming an enrolment need the session\'s token', async ({ f }) => {
  const { id, c } = await signedIn(f, 'csrf2fa@example.com');
  const start = await c.post('/account/2fa/start', {});
  assert.is(start.status, 403);
  assert.match(await start.text(), /missing its security token/);
  assert.is((await f.db.pool.query('SELECT count(*)::int AS n FROM console.user_totp WHERE user_id = $1', [id])).rows[0].n, 0, 'nothing started');
  assert.is((await c.post('/account/2fa/start', { _csrf: await c.csrf() })).status, 303, 'control: with the token');
  const secret = secretFrom(await (await c.get('/account/2fa')).text());
  assert.is((await c.post('/account/2fa/confirm', { code: codeAt(secret, f.clock.now) })).status, 403);
  assert.is((await f.db.pool.query('SELECT confirmed_at FROM console.user_totp WHERE user_id = $1', [id])).rows[0].confirmed_at, null);
});

t('the otpauth URI in the QR code names the issuer and account', () => {
  assert.match(otpauthUri(Buffer.alloc(20), 'a b@example.com'), /^otpauth:\/\/totp\/pgtrail:a%20b%40example\.com\?secret=A{32}&issuer=pgtrail/);
});

t.run();
