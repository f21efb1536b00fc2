// Revert in the console: admins only (403 with the reason for auditors and viewers, page and POST),
// CSRF on the run, the preview shows the exact SQL, the row now and after, and every refusal; the
// override checkbox appears only when the row changed since, with the newer change listed; a run
// redirects to the revert's own transaction, recorded by the admin, linking the original. Without a
// revert role configured the preview still shows the SQL and the button is disabled, saying why.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { enableAudit } from '../src/audit/enable.ts';
import { createApp } from '../src/server/app.ts';
import { createRevertPool } from '../src/revert/pool.ts';
import { Client, consoleFixture, csrfFrom, type ConsoleFixture } from './helpers/console.ts';
import { withAdmin } from './helpers/database.ts';

interface Ctx { f: ConsoleFixture; revertPool: pg.Pool; role: string; admin: Client; auditor: Client; viewer: Client; plain: Client }
const t = suite<Ctx>('revert-console');

t.before(async (ctx) => {
  ctx.role = `revert_console_${Math.random().toString(36).slice(2, 8)}`;
  await withAdmin((c) => c.query(`CREATE ROLE ${ctx.role} NOLOGIN`));
  const base = await consoleFixture('revert_console');
  ctx.revertPool = createRevertPool(base.db.url, ctx.role);
  await base.db.pool.query(`
    CREATE TABLE notes (id int PRIMARY KEY, title text NOT NULL, body text);
    GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO ${ctx.role};`);
  await enableAudit(base.db.pool, { schema: 'public', table: 'notes' }, {});
  // The same console with a revert pool (`f`), and without one (`plain`).
  const deps = { ...base.deps, revert: ctx.revertPool };
  ctx.f = { ...base, deps, app: createApp(deps) };
  for (const role of ['admin', 'auditor', 'viewer'] as const) {
    ctx[role] = new Client(ctx.f.app);
    assert.is((await ctx[role].signIn(`${role}@example.com`)).status, 303);
  }
  ctx.plain = new Client(base.app);
  assert.is((await ctx.plain.signIn('admin@example.com')).status, 303);
});
t.after(async (ctx) => {
  await ctx.revertPool?.end();
  await ctx.f?.close();
  if (ctx.role) await withAdmin((c) => c.query(`DROP ROLE IF EXISTS ${ctx.role}`));
});

const last = async (f: ConsoleFixture) => (await f.db.pool.query(`SELECT e.id::text AS id, e.tx_id::text AS tx FROM audit.events AS e ORDER BY e.id DESC LIMIT 1`)).rows[0] as { id: string; tx: string };
const note = async (f: ConsoleFixture, id: number) => (await f.db.pool.query(`SELECT title, body FROM notes WHERE id = $1`, [id])).rows[0];
const decode = (html: string) => html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

t('auditors and viewers get 403 with the reason, on the preview and the run; nothing changes', async ({ f, auditor, viewer }) => {
  await f.db.pool.query(`INSERT INTO notes VALUES (1, 'one', 'x')`);
  const { id } = await last(f);
  for (const who of [auditor, viewer]) {
    const page = await who.get(`/events/${id}/revert`);
    assert.is(page.status, 403);
    assert.match(await page.text(), /Your role \((auditor|viewer)\) may not do this/);
    const post = await who.post(`/events/${id}/revert`, { _csrf: await who.csrf() });
    assert.is(post.status, 403);
    assert.match(await post.text(), /Your role \((auditor|viewer)\) may not do this/);
  }
  assert.ok(await note(f, 1), 'still there');
});

t('preview: the exact SQL and its parameters, the row now and after, the button enabled; bad ids are 400, unknown ones 404', async ({ admin, f }) => {
  await f.db.pool.query(`UPDATE notes SET title = '<img src=x onerror=alert(1)>' WHERE id = 1`);
  const { id } = await last(f);
  const res = await admin.get(`/events/${id}/revert`);
  assert.is(res.status, 200);
  const html = await res.text();
  const sql = /<pre class="revert-sql" id="revert-sql-1">([^<]*)<\/pre>/.exec(html)?.[1];
  assert.is(decode(sql!), `UPDATE "public"."notes" AS t\n   SET "title" = v."title"\n  FROM pg_catalog.jsonb_populate_record(NULL::"public"."notes", $1::jsonb) AS v,\n       pg_catalog.jsonb_populate_record(NULL::"public"."notes", $2::jsonb) AS k\n WHERE t."id" = k."id"`);
  assert.match(html, /<dt>\$1<\/dt><dd><code>\{&quot;title&quot;:&quot;one&quot;\}<\/code><\/dd><dt>\$2<\/dt><dd><code>\{&quot;id&quot;:1\}<\/code>/);
  assert.match(html, /<tr class="changed"><th scope="row">title<\/th><td class="before"><code class="v">&lt;img src=x onerror=alert\(1\)&gt;<\/code><\/td><td class="after"><code class="v">one<\/code>/);
  assert.not.match(html, /<img src=x/, 'database text is escaped');
  assert.match(html, /<button type="submit" class="danger" id="revert-run">Revert this event<\/button>/);
  assert.not.match(html, /id="revert-override"/, 'no override offered when nothing changed since');
  assert.is((await admin.get('/events/12x/revert')).status, 400);
  assert.match(decode(await (await admin.get('/transactions/-1/revert')).text()), /"-1" is not a transaction id/);
  assert.is((await admin.get('/events/987654321/revert')).status, 404);
});

t('not enabled: the preview shows the SQL, not the rows, and the button is disabled with the reason; the POST is refused and changes nothing', async ({ f, plain }) => {
  const { id } = await last(f);
  const html = await (await plain.get(`/events/${id}/revert`)).text();
  assert.match(html, /id="revert-sql-1">UPDATE &quot;public&quot;\.&quot;notes&quot;/);
  assert.match(html, /id="revert-rows-1">The row now is not shown/);
  assert.match(html, /<button type="submit" class="danger" id="revert-run" disabled="" aria-describedby="revert-disabled">/);
  assert.match(html, /id="revert-disabled">revert is not enabled: set PGTRAIL_REVERT_DATABASE_URL/);
  const post = await plain.post(`/events/${id}/revert`, { _csrf: csrfFrom(html) });
  assert.is(post.status, 403);
  assert.match(await post.text(), /revert is not enabled: set PGTRAIL_REVERT_DATABASE_URL/);
  assert.is((await note(f, 1)).title, '<img src=x onerror=alert(1)>');
});

t('the console role itself cannot write application tables; the revert role can', async ({ f, revertPool }) => {
  const denied = await f.pool.query(`UPDATE notes SET body = 'y' WHERE id = 1`).then(() => null, (e: Error) => e.message);
  assert.match(denied ?? 'allowed', /permission denied for table notes/);
  assert.is((await revertPool.query(`SELECT count(*)::int AS n FROM notes`)).rows[0].n, 1, 'control');
});

t('run: CSRF required; then the row is back, and the revert is an event by the admin linking the original, shown on its transaction page', async ({ f, admin }) => {
  const { id } = await last(f);
  const noCsrf = await admin.post(`/events/${id}/revert`, {});
  assert.is(noCsrf.status, 403);
  assert.match(await noCsrf.text(), /missing its security token/);
  assert.is((await note(f, 1)).title, '<img src=x onerror=alert(1)>', 'nothing ran');
  const res = await admin.post(`/events/${id}/revert`, { _csrf: await admin.csrf() });
  assert.is(res.status, 303);
  const location = res.headers.get('location')!;
  assert.match(location, /^\/events\?tx_id=\d+$/);
  assert.is((await note(f, 1)).title, 'one');
  const { rows } = await f.db.pool.query(`SELECT id::text, actor_type, actor_name, host(ip) AS ip, metadata, tx_id::text FROM audit.events WHERE metadata ->> 'reverts' = $1`, [id]);
  assert.is(rows.length, 1);
  assert.is(rows[0].actor_type, 'user');
  assert.is(rows[0].actor_name, 'admin@example.com');
  assert.is(rows[0].ip, '203.0.113.50');
  assert.is(location, `/events?tx_id=${rows[0].tx_id}`);
  const list = await (await admin.get(location)).text();
  assert.match(list, new RegExp(`href="/events/${rows[0].id}`));
});

t('re-create a deleted row from the console', async ({ f, admin }) => {
  await f.db.pool.query(`INSERT INTO notes VALUES (2, 'two', 'body') ; DELETE FROM notes WHERE id = 2`);
  const { id } = await last(f);
  const html = await (await admin.get(`/events/${id}/revert`)).text();
  assert.match(html, /Re-create this deleted row/);
  assert.match(html, /id="revert-sql-1">INSERT INTO &quot;public&quot;\.&quot;notes&quot;/);
  assert.is((await admin.post(`/events/${id}/revert`, { _csrf: csrfFrom(html) })).status, 303);
  assert.equal(await note(f, 2), { title: 'two', body: 'body' });
});

t('changed since: the newer change is listed and the override checkbox appears; without it 409 saying why; with it the revert runs', async ({ f, admin }) => {
  await f.db.pool.query(`UPDATE notes SET body = 'first' WHERE id = 2`);
  const first = await last(f);
  await f.db.pool.query(`UPDATE notes SET body = 'second' WHERE id = 2`);
  const second = await last(f);
  const html = await (await admin.get(`/events/${first.id}/revert`)).text();
  assert.match(html, /id="revert-changed"/);
  assert.match(html, new RegExp(`<table class="revert-newer" id="revert-newer">[^]*href="/events/${second.id}"`));
  assert.match(html, /<input type="checkbox" name="override" value="1" id="revert-override" required=""/);
  const refused = await admin.post(`/events/${first.id}/revert`, { _csrf: csrfFrom(html) });
  assert.is(refused.status, 409);
  assert.match(decode(await refused.text()), new RegExp(`Not reverted: .*changed since event #${first.id}: event #${second.id}`));
  assert.is((await note(f, 2)).body, 'second');
  assert.is((await admin.post(`/events/${first.id}/revert`, { _csrf: csrfFrom(html), override: 'maybe' })).status, 400);
  const seen = html.match(/name="seen" value="([^"]+)"/)![1];
  // The override is for the changes shown: a change made after the page was read is not overwritten blindly.
  await f.db.pool.query(`UPDATE notes SET body = 'third' WHERE id = 2`);
  const stale = await admin.post(`/events/${first.id}/revert`, { _csrf: csrfFrom(html), override: '1', seen });
  assert.is(stale.status, 409);
  assert.match(decode(await stale.text()), /Not reverted: the row changed again since this page was shown/);
  assert.is((await note(f, 2)).body, 'third');
  const fresh = await (await admin.get(`/events/${first.id}/revert`)).text();
  const seenNow = fresh.match(/name="seen" value="([^"]+)"/)![1];
  assert.is.not(seenNow, seen);
  assert.is((await admin.post(`/events/${first.id}/revert`, { _csrf: csrfFrom(fresh), override: '1', seen: seenNow })).status, 303);
  assert.is((await note(f, 2)).body, 'body');
});

t('refusals are shown with the reason, with no override and the button disabled (application event, row gone)', async ({ f, admin }) => {
  const app = (await f.db.pool.query(`SELECT audit.log_event('note.pin', 'note', '2')::text AS id`)).rows[0].id;
  let html = decode(await (await admin.get(`/events/${app}/revert`)).text());
  assert.match(html, /id="revert-refusals"[^]*\(note\.pin\) is not a row change/);
  assert.match(html, /id="revert-run" disabled=""/);
  await f.db.pool.query(`UPDATE notes SET body = 'z' WHERE id = 1`);
  const upd = await last(f);
  await f.db.pool.query(`DELETE FROM notes WHERE id = 1`);
  html = decode(await (await admin.get(`/events/${upd.id}/revert`)).text());
  assert.match(html, /does not exist any more in public\.notes \(id = 1\)/);
  assert.not.match(html, /id="revert-override"/);
  const post = await admin.post(`/events/${upd.id}/revert`, { _csrf: csrfFrom(html) });
  assert.is(post.status, 409);
});

t('a whole transaction from the console: newest first, one revert transaction', async ({ f, admin }) => {
  const client = await f.db.pool.connect();
  let tx: string;
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO notes VALUES (3, 'three', null)`);
    await client.query(`UPDATE notes SET title = 'TWO' WHERE id = 2`);
    tx = (await client.query('SELECT txid_current()::text AS tx')).rows[0].tx;
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  const html = await (await admin.get(`/transactions/${tx}/revert`)).text();
  assert.match(html, /<h1>Revert transaction \d+<\/h1>/);
  assert.match(html, /id="revert-step-1">Undo this update[^]*id="revert-step-2">Delete this inserted row/);
  assert.match(html, />Revert this transaction<\/button>/);
  const res = await admin.post(`/transactions/${tx}/revert`, { _csrf: csrfFrom(html) });
  assert.is(res.status, 303);
  assert.is(await note(f, 3), undefined);
  assert.is((await note(f, 2)).title, 'two');
  const { rows } = await f.db.pool.query(`SELECT DISTINCT tx_id::text AS tx, metadata ->> 'reverts_tx' AS of FROM audit.events WHERE metadata ? 'reverts_tx'`);
  assert.equal(rows, [{ tx: /tx_id=(\d+)/.exec(res.headers.get('location')!)![1], of: tx }]);
});

t.run();
