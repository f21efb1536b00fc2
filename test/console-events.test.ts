// The console's event views over HTTP: the list (full page and htmx fragment from the same route),
// every bad input class as a 400 that names the field, keyset pages, capped counts, the detail page
// with its diff, record history, same transaction, the sign-in log and live mode.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { installDemo, makeDemoChanges } from '../src/demo/seed.ts';
import { installDemoHistory } from '../src/demo/history.ts';
import { Client, consoleFixture, type ConsoleFixture } from './helpers/console.ts';

const t = suite<{ f: ConsoleFixture; c: Client }>('console-events');

t.before(async (ctx) => {
  ctx.f = await consoleFixture('console_events');
  await installDemo(ctx.f.db.pool);
  await installDemoHistory(ctx.f.db.pool);
  await makeDemoChanges(ctx.f.db.pool);
  ctx.c = new Client(ctx.f.app);
  await ctx.c.signIn('auditor@example.com');
});
t.after(async (ctx) => ctx.f?.close());

const count = (html: string) => /data-count="([^"]+)"/.exec(html)?.[1];
const ids = (html: string) => [...html.matchAll(/href="\/events\/(\d+)"/g)].map((m) => Number(m[1]));

t('the list: a full page; with HX-Request the same route returns only the results fragment', async ({ f, c }) => {
  const page = await c.get('/events');
  assert.is(page.status, 200);
  assert.match(page.headers.get('vary') ?? '', /HX-Request/);
  const html = await page.text();
  assert.match(html, /^<!DOCTYPE html>|^<html/);
  assert.match(html, /<form id="filters"[^>]*method="get"[^>]*hx-get="\/events"/);
  assert.match(html, /hx-push-url="true"/);
  assert.match(html, /hx-trigger="input delay:300ms, change delay:50ms, submit"/);
  const total = Number((await f.db.pool.query('SELECT count(*) FROM audit.events')).rows[0].count);
  assert.is(count(html), String(total));
  assert.is(ids(html).length, 50, 'first page of 50');
  assert.equal(ids(html), [...ids(html)].sort((a, b) => b - a), 'newest first');

  const fragment = await (await c.get('/events?action=update', { 'HX-Request': 'true' })).text();
  assert.match(fragment, /^<section id="results"/);
  assert.not.match(fragment, /<html|<form id="filters"/);
  const updates = Number((await f.db.pool.query(`SELECT count(*) FROM audit.events WHERE action = 'update'`)).rows[0].count);
  assert.is(count(fragment), String(updates));
  const history = await (await c.get('/events?action=update', { 'HX-Request': 'true', 'HX-History-Restore-Request': 'true' })).text();
  assert.match(history, /<html/, 'a history restore gets the whole page');
});

t('filters combine and the form echoes them; Clear filters links to the bare list', async ({ f, c }) => {
  const html = await (await c.get('/events?actor=aisha@example.com&action=update&action=auth.*&window=7d&target_type=demo.contacts')).text();
  const expected = (await f.db.pool.query(`SELECT count(*) FROM audit.events WHERE (actor_id = 'aisha@example.com' OR lower(actor_name) = 'aisha@example.com')
     AND (action = 'update' OR action LIKE 'auth.%') AND occurred_at >= now() - interval '7 days' AND target_type = 'demo.contacts'`)).rows[0].count;
  assert.is(count(html), expected);
  assert.ok(Number(expected) > 0);
  assert.match(html, /<input type="checkbox" name="action" value="update" checked=""/);
  assert.match(html, /name="action" aria-label="Other actions" value="auth.\*"/);
  assert.match(html, /<input type="radio" name="window" value="7d" checked=""/);
  assert.match(html, /id="clear-filters"|href="\/events" id="clear-filters"/);
  assert.match(html, /To \(UTC, exclusive\)/);
  assert.match(html, /A date without a time includes that whole day/);
  assert.match(html, /href="\/export.csv\?actor=aisha%40example.com&amp;action=update&amp;action=auth.\*&amp;window=7d&amp;target_type=demo.contacts"/, 'export links carry the filters');
});

t('bad input of every kind: 400, saying which field and what is wrong, as page and as fragment; never 500', async ({ c }) => {
  const cases: Array<[string, string, RegExp]> = [
    ['from=yesterday', 'from', /"yesterday" is not a date or time/],
    ['from=2026-02-30', 'from', /is not a calendar date/],
    ['from=2026-11-25&to=2026-11-24', 'from', /must be before to/],
    ['ip=10.0.0.999', 'ip', /is not an IP address or CIDR block/],
    ['ip=10.0.0.0/40', 'ip', /prefix length/],
    ['cursor=forged.cursor', 'cursor', /not valid/],
    ['cursor=garbage', 'cursor', /malformed/],
    ['action=auth.*.x', 'action', /is not an action/],
    ['action=DROP%20TABLE', 'action', /is not an action/],
    [`q=${'x'.repeat(10_000)}`, 'q', /longer than 200 bytes/],
    [`actor=${'y'.repeat(10_000)}`, 'actor', /longer than 1024 bytes/],
    ['actor=a%00b', 'actor', /NUL/],
    ['target_id=%00', 'target_id', /NUL/],
    ['actor_type=robot', 'actor_type', /must be one of/],
    ['window=forever', 'window', /is not a window/],
    ['window=24h&from=2026-11-01', 'window', /either a window or a from/],
    ['tx_id=1%3B%20drop', 'tx_id', /is not a transaction id/],
  ];
  for (const [query, field, message] of cases) {
    for (const hx of [false, true]) {
      const res = await c.get(`/events?${query}`, hx ? { 'HX-Request': 'true' } : {});
      const html = await res.text();
      assert.is(res.status, 400, `${query} (htmx: ${hx})`);
      assert.match(html, new RegExp(`data-field="${field}"`), query);
      assert.match(html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'), message, query);
      if (!hx && field !== 'cursor' && field !== 'tx_id') assert.match(html, /aria-invalid="true"|class="field[^"]* invalid"/, `${query}: the field is marked`);
    }
  }
  // Hostile but valid text is just text: no error, no match, no 500.
  for (const q of [`o'brien`, 'back\\slash', '"; DROP TABLE audit.events; --', '$$ E\'\\x41\' $$', 'unicode ✓ ü 漢字 🙂', '%_%']) {
    for (const key of ['q', 'actor', 'target_id', 'target_type']) {
      const res = await c.get(`/events?${new URLSearchParams({ [key]: q })}`);
      assert.is(res.status, 200, `${key}=${q}`);
      const html = await res.text();
      assert.is(count(html), '0', `${key}=${q}`);
      assert.match(html, /No events match\.<\/strong>/);
      assert.match(html, new RegExp(`data-suggest="${key}"`), 'the empty state suggests the filter in use (test/empty-state.test.ts)');
      if (key === 'q') assert.ok(html.includes(q.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')) || html.includes(q.replace(/"/g, '&quot;')), 'echoed, escaped');
    }
  }
  const detail = await c.get('/events/1%20OR%201=1');
  assert.is(detail.status, 400);
  assert.is((await c.get('/events/99999999')).status, 404);
  assert.is((await c.get('/events/1?fields=everything')).status, 400);
});

t('keyset pages: Older → carries a signed cursor; a cursor from other filters or another secret is refused', async ({ f, c }) => {
  const first = await (await c.get('/events?target_type=demo.contacts')).text();
  const next = /<a rel="next" href="([^"]+)"/.exec(first)![1].replace(/&amp;/g, '&');
  assert.match(next, /^\/events\?target_type=demo.contacts&cursor=/);
  const second = await (await c.get(next)).text();
  assert.is(count(second), count(first), 'the count is of the whole filter');
  assert.match(second, /← Newest/);
  const a = ids(first), b = ids(second);
  assert.ok(Math.min(...a) > Math.max(...b), 'the second page continues below the first');
  const cursor = new URL(`http://x${next}`).searchParams.get('cursor')!;
  const replay = await c.get(`/events?target_type=demo.campaigns&cursor=${encodeURIComponent(cursor)}`);
  assert.is(replay.status, 400);
  assert.match(await replay.text(), /belongs to other filters/);
  const { createApp } = await import('../src/server/app.ts');
  const rotated = new Client(createApp({ ...f.deps, secret: 'another-secret' }));
  rotated.cookies = c.cookies;
  const stale = await rotated.get(next);
  assert.is(stale.status, 400);
  assert.match(await stale.text(), /not valid/);
});

t('counts: exact when small, "10,000+" when capped', async ({ f, c }) => {
  await f.db.pool.query(`INSERT INTO audit.events (tx_id, action, target_type, target_id, actor_type, db_user)
                         SELECT 1, 'insert', 'bulk.rows', g::text, 'system', 'x' FROM generate_series(1, 10050) g`);
  const html = await (await c.get('/events?target_type=bulk.rows')).text();
  assert.is(count(html), '10000+');
  assert.match(html, /<strong data-count="10000\+">10,000\+<\/strong> events match/);
  const one = await (await c.get('/events?target_type=bulk.rows&target_id=7')).text();
  assert.match(one, /<strong data-count="1">1<\/strong> event matches/);
});

t('detail of an update: changed fields by default, all on demand, redacted shown as redacted, UTC + local', async ({ f, c }) => {
  const { rows: [e] } = await f.db.pool.query(`SELECT id, target_id, tx_id, changed_fields FROM audit.events WHERE action = 'update' AND target_type = 'demo.contacts'
     AND 'api_secret' = ANY(changed_fields) ORDER BY id LIMIT 1`);
  const html = await (await c.get(`/events/${e.id}`)).text();
  assert.match(html, /<table class="diff">/);
  const changedRows = [...html.matchAll(/<tr class="changed"><th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
  assert.equal(changedRows.sort(), [...e.changed_fields].sort());
  assert.not.match(html, /<tr class="same">/, 'unchanged fields hidden by default');
  assert.match(html, /<span class="redacted"[^>]*>redacted<\/span>/);
  assert.match(html, /<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/time><span class="local" data-local=/);
  assert.match(html, new RegExp(`href="/events\\?target_type=demo.contacts&amp;target_id=${e.target_id}"[^>]*>History of this record`));
  assert.match(html, new RegExp(`href="/events\\?tx_id=${e.tx_id}"[^>]*>Same transaction`));
  for (const field of ['id', 'occurred_at', 'tx_id', 'action', 'target_type', 'target_id', 'actor_type', 'actor_id', 'actor_name', 'ip', 'user_agent', 'request_id', 'db_user', 'app_name', 'old_data', 'new_data', 'changed_fields', 'metadata']) {
    assert.match(html, new RegExp(`<th scope="row">${field}</th>`), `every field: ${field}`);
  }
  const all = await (await c.get(`/events/${e.id}?fields=all`)).text();
  assert.match(all, /<tr class="same">/, 'all fields on demand');
  // Updates store only the changed columns' old values; unchanged fields show their value on both sides.
  const same = [...all.matchAll(/<tr class="same"><th scope="row">[^<]+<\/th><td class="before">(.*?)<\/td><td class="after">(.*?)<\/td>/g)];
  assert.ok(same.length > 0);
  for (const [, before, after] of same) assert.is(before, after);
  assert.not.match(all, /\(absent\)/);
  assert.match(all, /Show changed fields only/);
});

t('detail of inserts and deletes shows the full row; live capture through triggers reads the same', async ({ f, c }) => {
  const { rows: [ins] } = await f.db.pool.query(`SELECT id FROM audit.events WHERE action = 'insert' AND target_type = 'demo.contacts' AND app_name IS DISTINCT FROM 'crm (demo history)' ORDER BY id DESC LIMIT 1`);
  const insert = await (await c.get(`/events/${ins.id}`)).text();
  assert.match(insert, /<h2>Inserted row<\/h2>/);
  assert.match(insert, /<th scope="row">email<\/th><td><code class="v">lee@example.com<\/code>/);
  assert.match(insert, /<th scope="row">api_secret<\/th><td><span class="redacted"/, 'redacted by the trigger, shown as redacted');
  assert.not.match(insert, /password_hash/, 'excluded columns are nowhere');
  const { rows: [del] } = await f.db.pool.query(`SELECT id FROM audit.events WHERE action = 'delete' ORDER BY id DESC LIMIT 1`);
  const deleted = await (await c.get(`/events/${del.id}`)).text();
  assert.match(deleted, /<h2>Deleted row<\/h2>/);
  assert.match(deleted, /database role|db role|db_role/);
});

t('"← Events" returns to the filtered page the event was opened from; a foreign back address is refused', async ({ c }) => {
  const list = await (await c.get('/events?action=update&target_type=demo.contacts')).text();
  const href = list.match(/<a class="rowlink" href="([^"]+)"/)![1].replace(/&amp;/g, '&');
  const url = new URL(href, 'http://console.test');
  assert.is(url.searchParams.get('back'), '/events?action=update&target_type=demo.contacts');
  const detail = await (await c.get(href)).text();
  assert.match(detail, /<a href="\/events\?action=update&amp;target_type=demo.contacts" id="back-to-events">/);
  // The diff toggle keeps it, so "← Events" still returns after showing all fields.
  assert.match(detail, /href="\/events\/\d+\?fields=all&amp;back=%2Fevents%3Faction%3Dupdate%26target_type%3Ddemo.contacts"/);
  // Without filters, plain links; opened directly, the bare list.
  assert.match(await (await c.get('/events')).text(), /<a class="rowlink" href="\/events\/\d+">/);
  assert.match(await (await c.get(url.pathname)).text(), /<a href="\/events" id="back-to-events">/);
  for (const back of ['https://evil.example/events', '//evil.example/events', '/events/../users', 'javascript:alert(1)', `/events?q=${'x'.repeat(5000)}`]) {
    const res = await c.get(`${url.pathname}?${new URLSearchParams({ back })}`);
    assert.is(res.status, 400, back.slice(0, 40));
    assert.match(await res.text(), /back: must be a console list address/);
  }
});

t('record history and same transaction are the list with those filters, with a heading that says so', async ({ f, c }) => {
  const { rows: [r] } = await f.db.pool.query(`SELECT target_id, count(*)::int AS n FROM audit.events WHERE target_type = 'demo.contacts' GROUP BY 1 ORDER BY 2 DESC LIMIT 1`);
  const html = await (await c.get(`/events?target_type=demo.contacts&target_id=${r.target_id}`)).text();
  assert.match(html, new RegExp(`<h1>History of demo.contacts #${r.target_id}</h1>`));
  assert.is(count(html), String(r.n));
  assert.match(html, /newest first/);
  const { rows: [tx] } = await f.db.pool.query(`SELECT tx_id, count(*)::int AS n FROM audit.events WHERE target_type <> 'bulk.rows' GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 1`);
  const same = await (await c.get(`/events?tx_id=${tx.tx_id}`)).text();
  assert.match(same, new RegExp(`<h1>Transaction ${tx.tx_id}</h1>`));
  assert.is(count(same), String(tx.n));
  assert.match(same, /<input type="hidden" name="tx_id" value="\d+"/, 'kept as the form changes');
});

t('the sign-in log: auth.* only, its own filters, and refuses other actions', async ({ f, c }) => {
  const html = await (await c.get('/sign-ins')).text();
  const n = (await f.db.pool.query(`SELECT count(*) FROM audit.events WHERE action LIKE 'auth.%'`)).rows[0].count;
  assert.is(count(html), n);
  assert.match(html, /<h1>Sign-in log<\/h1>/);
  assert.match(html, /aria-current="page"[^>]*>Sign-in log|class="current" aria-current="page">Sign-in log/);
  const failed = await (await c.get('/sign-ins?action=auth.sign_in_failed&ip=192.0.2.0/24')).text();
  assert.is(count(failed), (await f.db.pool.query(`SELECT count(*) FROM audit.events WHERE action = 'auth.sign_in_failed' AND ip <<= '192.0.2.0/24'`)).rows[0].count);
  assert.is((await c.get('/sign-ins?action=update')).status, 400);
});

t('live mode: the results poll the first page with the same filters; no pager while live', async ({ c }) => {
  const html = await (await c.get('/events?action=update&live=1')).text();
  assert.match(html, /<section id="results" class="results" aria-live="polite" hx-get="\/events\?action=update&amp;live=1" hx-trigger="every 5s" hx-swap="outerHTML" hx-target="this">/);
  assert.not.match(html, /rel="next"/);
  assert.match(html, /<input type="checkbox" name="live" value="1" checked=""/);
  const fragment = await (await c.get('/events?action=update&live=1', { 'HX-Request': 'true' })).text();
  assert.match(fragment, /hx-trigger="every 5s"/, 'the polled fragment keeps polling');
});

t('unknown pages are a 404 page, errors never leak as 500', async ({ c }) => {
  const res = await c.get('/no/such/page');
  assert.is(res.status, 404);
  assert.match(await res.text(), /There is no page at this address/);
});

t.run();
