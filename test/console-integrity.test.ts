// The console shows the provable trail: the event list's line ("sealed and verified up to …", what
// failed, "not sealed"), the seal covering an event on its detail page, and the Integrity page
// (admins and auditors) with the seal chain, the last verify and a verify run on demand (POST with
// CSRF, recorded as integrity.verify). Page loads never run a verify.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSealKey } from '../src/integrity/keys.ts';
import { sealNow } from '../src/integrity/seal.ts';
import { registerKey } from '../src/integrity/store.ts';
import { Client, consoleFixture, csrfFrom, type ConsoleFixture } from './helpers/console.ts';
import { tamper } from './helpers/tamper.ts';

const t = suite<{ f: ConsoleFixture; admin: Client; auditor: Client; viewer: Client }>('console-integrity');
const key = generateSealKey();

async function seal(f: ConsoleFixture) {
  const client = await f.db.pool.connect();
  try {
    return await sealNow(client, key);
  } finally {
    client.release();
  }
}
const logEvent = async (f: ConsoleFixture, id: string) =>
  (await f.db.pool.query(`SELECT audit.log_event('test.event', 'test', $1)::text AS id`, [id])).rows[0].id as string;
const verifyEvents = async (f: ConsoleFixture) =>
  (await f.db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE action = 'integrity.verify'`)).rows[0].n as number;
const sealLine = (html: string) => /<p class="seal-line[^"]*"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? null;

/** Registers the key, logs one event and seals: seal #1 covers the event whose id is returned. */
async function sealedEvent(f: ConsoleFixture): Promise<string> {
  await registerKey(f.db.pool, key);
  const id = await logEvent(f, 'sealed-one');
  assert.ok((await seal(f)).sealed, 'seal #1 made');
  return id;
}

// Seals and verify results are one chain per database: each test gets a database of its own, so
// none reads what an earlier one sealed or verified.
t.before.each(async (ctx) => {
  ctx.f = await consoleFixture('console_integrity');
  for (const role of ['admin', 'auditor', 'viewer'] as const) {
    ctx[role] = new Client(ctx.f.app);
    assert.is((await ctx[role].signIn(`${role}@example.com`)).status, 303);
  }
});
t.after.each(async (ctx) => ctx.f?.close());

t('not sealed: the list says so', async ({ f, auditor }) => {
  await logEvent(f, 'before-any-seal');
  const html = await (await auditor.get('/events')).text();
  assert.match(sealLine(html)!, /^Not sealed: no seal has been made yet\./);
});

t('sealed, never verified: the list says up to when and that it is not verified; only admins and auditors get the Integrity link', async (ctx) => {
  await sealedEvent(ctx.f);
  const html = await (await ctx.auditor.get('/events')).text();
  assert.match(sealLine(html)!, /^Sealed up to \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(seal #1\); not verified yet\. <a href="\/integrity">Integrity<\/a>$/);
  assert.match(html, /<nav[^]*href="\/integrity"[^]*<\/nav>/);
  const viewer = await (await ctx.viewer.get('/events')).text();
  assert.match(sealLine(viewer)!, /^Sealed up to .* not verified yet\. $/, 'viewers see the line without the link');
  assert.not.match(viewer, /href="\/integrity"/);
});

t('event detail: which seal covers it, or not sealed yet', async ({ f, auditor }) => {
  const sealedId = await sealedEvent(f);
  let html = await (await auditor.get(`/events/${sealedId}`)).text();
  assert.match(html, /id="seal-note">Covered by seal #1, sealed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.</);
  const fresh = await logEvent(f, 'after-the-seal');
  html = await (await auditor.get(`/events/${fresh}`)).text();
  assert.match(html, /id="seal-note">Not sealed yet\.</);
});

t('the Integrity page: viewers get 403 (page and verify); auditors see the chain and that no verify ran; page loads run none', async ({ f, auditor, viewer }) => {
  await sealedEvent(f);
  const refused = await viewer.get('/integrity');
  assert.is(refused.status, 403);
  assert.match(await refused.text(), /Your role \(viewer\) may not do this/);
  const csrf = await viewer.csrf();
  const refusedPost = await viewer.post('/integrity/verify', { _csrf: csrf });
  assert.is(refusedPost.status, 403);
  assert.match(await refusedPost.text(), /Your role \(viewer\) may not do this/);
  const before = await verifyEvents(f);
  const res = await auditor.get('/integrity');
  assert.is(res.status, 200);
  const html = await res.text();
  assert.match(html, /<table class="seals" id="seal-chain">[^]*<td>#1<\/td>/);
  assert.match(html, new RegExp(`<code title="${key.fingerprint}">${key.fingerprint.slice(0, 12)}…</code>`));
  assert.match(html, /No verify has been run from the console yet\./);
  await auditor.get('/events');
  assert.is(await verifyEvents(f), before, 'loading the list and the Integrity page ran no verify');
  // Positive control: the same count sees a verify that did run.
  assert.is((await auditor.post('/integrity/verify', { _csrf: csrfFrom(html) })).status, 200);
  assert.is(await verifyEvents(f), before + 1, 'a verify run is counted');
});

t('verify on demand: CSRF required; a malformed fingerprint is a 400 saying why; a run shows the report, is recorded, and the list says verified', async ({ f, auditor, admin }) => {
  await sealedEvent(f);
  const noCsrf = await auditor.post('/integrity/verify', {});
  assert.is(noCsrf.status, 403);
  assert.match(await noCsrf.text(), /missing its security token/);
  const before = await verifyEvents(f);
  const csrf = csrfFrom(await (await auditor.get('/integrity')).text());
  const bad = await auditor.post('/integrity/verify', { _csrf: csrf, key: 'not-a-fingerprint' });
  assert.is(bad.status, 400);
  assert.match(await bad.text(), /Expected key fingerprint: must be 64 hexadecimal characters/);
  assert.is(await verifyEvents(f), before, 'refused requests ran nothing');

  const res = await auditor.post('/integrity/verify', { _csrf: csrf, key: key.fingerprint });
  assert.is(res.status, 200);
  const html = await res.text();
  assert.match(html, /<pre class="verify-report" id="verify-report">verified: 1 seal\(s\), 1 recomputed/);
  assert.match(html, /id="verify-result" data-ok="true">\s*Verified on .* by auditor@example\.com/);
  const { rows } = await f.db.pool.query(`SELECT actor_type, actor_name, metadata FROM audit.events WHERE action = 'integrity.verify' ORDER BY id DESC LIMIT 1`);
  assert.is(rows[0].actor_name, 'auditor@example.com');
  assert.is(rows[0].metadata.ok, true);
  assert.is(rows[0].metadata.key_given, true);
  const list = await (await admin.get('/events')).text();
  assert.match(sealLine(list)!, /^Sealed and verified up to .* UTC \(seal #1\)\./);

  assert.ok((await seal(f)).sealed, 'a newer seal');
  assert.match(sealLine(await (await admin.get('/events')).text())!, /^Sealed up to .* \(seal #2\); verified up to seal #1\./);
});

t('a verify that fails: the report names the problem, and the list says verification failed', async ({ f, admin }) => {
  const sealedId = await sealedEvent(f);
  await tamper(f.db.pool, 'audit.events', (c) => c.query('UPDATE audit.events SET metadata = $1 WHERE id = $2', [{ forged: true }, sealedId]));
  const csrf = csrfFrom(await (await admin.get('/integrity')).text());
  const res = await admin.post('/integrity/verify', { _csrf: csrf });
  assert.is(res.status, 200);
  const html = await res.text();
  assert.match(html, /NOT VERIFIED: 1 problem\(s\)/);
  assert.match(html, new RegExp(`altered: .*\\(ids ${sealedId}\\)`));
  assert.match(html, /no expected key was given/);
  const list = await (await admin.get('/events')).text();
  assert.match(sealLine(list)!, /^Verification failed on .* UTC: 1 problem\(s\) \(altered\)\. Sealed up to/);
  assert.match(list, /data-state="failed" role="alert"/);
});

t.run();
