// A record as it was over HTTP: the console page (GET /records/as-of, every role, reached from the
// event page and the record history), its 400 / 404 pages, and the JSON API (GET
// /api/v1/records/as-of) with its documented shape, exact numbers and strict parameters.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { enableAudit } from '../src/audit/enable.ts';
import { createToken } from '../src/accounts/tokens.ts';
import { apiApp, bearer, consoleRolePool } from './helpers/api.ts';
import { Client, consoleFixture, type ConsoleFixture } from './helpers/console.ts';

interface Ctx { f: ConsoleFixture; viewer: Client; api: pg.Pool; app: ReturnType<typeof apiApp>; token: string; ids: string[]; times: string[] }
const t = suite<Ctx>('as-of-http');

t.before(async (ctx) => {
  ctx.f = await consoleFixture('as_of_http');
  const db = ctx.f.db.pool;
  await db.query(`CREATE TABLE campaigns (id int PRIMARY KEY, subject text, status text, budget numeric, secret text)`);
  await enableAudit(db, { schema: 'public', table: 'campaigns' }, { exclude: ['secret'], label: `'Broadcast: ' || subject`, entity: 'campaign' });
  await db.query(`INSERT INTO campaigns VALUES (203, 'May <b>Newsletter</b>', 'draft', 12345678901234567890.123456789, 'hidden-value')`);
  await db.query(`UPDATE campaigns SET status = 'scheduled' WHERE id = 203`);
  await db.query(`SELECT audit.log_event('broadcast.send', 'campaign', '203', '{"recipients": 3}')`);
  await db.query(`UPDATE campaigns SET status = 'sent', subject = 'May Newsletter #38' WHERE id = 203`);
  const { rows } = await db.query(
    `SELECT id::text AS id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
       FROM audit.events AS e WHERE target_type IN ('public.campaigns', 'campaign') ORDER BY e.id`);
  ctx.ids = rows.map((r) => r.id);
  ctx.times = rows.map((r) => r.at);
  ctx.f.clock.now = new Date(); // "now" is after the changes
  ctx.viewer = new Client(ctx.f.app);
  assert.is((await ctx.viewer.signIn('viewer@example.com')).status, 303);
  ctx.api = consoleRolePool(ctx.f.db.url);
  ctx.app = apiApp({ pool: ctx.api, secret: 'as-of-test-secret' });
  const admin = await db.connect();
  try {
    ctx.token = (await createToken(admin, 'as-of-viewer', 'viewer')).token;
  } finally {
    admin.release();
  }
});
t.after(async (ctx) => {
  await ctx.api?.end();
  await ctx.f?.close();
});

const page = (q: Record<string, string>) => `/records/as-of?${new URLSearchParams(q)}`;
const decode = (html: string) => html.replace(/&amp;/g, '&');

t('the page: the row as of a time, every role may see it, database text escaped, excluded values never shown', async ({ viewer, ids, times }) => {
  const [insert, scheduled] = ids;
  const res = await viewer.get(page({ target_type: 'public.campaigns', target_id: '203', at: times[1] }));
  assert.is(res.status, 200);
  const html = await res.text();
  assert.match(html, /<form[^>]*id="as-of-form"[^>]*method="get"[^>]*action="\/records\/as-of"/);
  assert.match(html, /id="as-of-state" data-exists="true"/);
  assert.match(html, /<tr data-column="status"><th scope="row">status<\/th><td><code class="v">scheduled<\/code>/);
  assert.match(html, /May &lt;b&gt;Newsletter&lt;\/b&gt;/, 'database text escaped');
  assert.not.match(html, /<b>Newsletter<\/b>/);
  assert.match(html, /<tr class="absent" data-column="secret">.*excluded: never recorded/s);
  assert.not.match(html, /hidden-value/);
  assert.match(html, /12345678901234567890\.123456789/, 'numbers digit for digit');
  assert.match(html, /id="history-complete"/);
  assert.match(html, /id="as-of-label">Broadcast: May &lt;b&gt;Newsletter&lt;\/b&gt;</, 'the label recorded as of that time');
  assert.match(html, new RegExp(`row as recorded by <a href="/events/${scheduled}">`));
  // The timeline: the events on both sides of the point, each a link; the application's event included.
  const timeline = html.slice(html.indexOf('id="as-of-timeline"'));
  for (const id of ids) assert.match(timeline, new RegExp(`href="/events/${id}"`), `event ${id} in the timeline`);
  assert.match(timeline, /kind-application[^>]*data-event="\d+".*broadcast\.send/s);
  assert.ok(timeline.indexOf(`data-event="${scheduled}"`) < timeline.indexOf('id="as-of-point"'), 'the update is before the point');
  assert.ok(timeline.indexOf('id="as-of-point"') < timeline.indexOf(`data-event="${ids[3]}"`), 'the later update after it');
  assert.ok(timeline.indexOf(`data-event="${insert}"`) < timeline.indexOf(`data-event="${scheduled}"`));
});

t('from the event page and the record history; with compare, the difference and the events that made it', async ({ viewer, ids, times }) => {
  const [insert, scheduled, , sent] = ids;
  const event = await (await viewer.get(`/events/${scheduled}`)).text();
  const link = /id="as-of-link" href="([^"]+)"|href="([^"]+)"[^>]*id="as-of-link"/.exec(event);
  assert.ok(link, 'the event page links to the record as of the event');
  const asOf = await viewer.get(decode(link[1] ?? link[2]));
  assert.is(asOf.status, 200);
  const html = await asOf.text();
  assert.match(html, new RegExp(`just after event ${scheduled}`));
  assert.match(html, /<td><code class="v">scheduled<\/code>/);

  const historyPage = await (await viewer.get(`/events?target_type=public.campaigns&target_id=203`)).text();
  const fromHistory = /href="(\/records\/as-of\?[^"]+)"/.exec(historyPage);
  assert.ok(fromHistory, 'the record history links to as-of');
  const now = await (await viewer.get(decode(fromHistory[1]))).text();
  assert.match(now, /<td><code class="v">sent<\/code>/, 'without at: now');

  const diff = await (await viewer.get(page({ target_type: 'public.campaigns', target_id: '203', at: times[0], compare: times[3] }))).text();
  assert.match(diff, /id="as-of-diff"/);
  const row = (field: string) => new RegExp(`<tr class="(changed|same)" data-field="${field}">.*?</tr>`, 's').exec(diff)?.[0] ?? '';
  assert.match(row('status'), /class="changed".*draft.*sent.*href="\/events\/\d+">\d+<\/a><a class="event-ref" href="\/events\/\d+"/s);
  assert.match(row('status'), new RegExp(`/events/${scheduled}".*/events/${sent}"`, 's'));
  assert.match(row('budget'), /class="same"/);
  assert.not.match(row('budget'), /href=/, 'no event changed it');
  assert.not.ok(row('status').includes(`/events/${insert}"`), 'the earlier point is after the insert');
});

t('bad input: a 400 page with the form and what was wrong; no history: a 404 saying so; positive control', async ({ viewer }) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ target_type: 'public.campaigns', target_id: '203', at: 'last tuesday' }, /at: &quot;last tuesday&quot; is not a date or time/],
    [{ target_type: 'public.campaigns', target_id: '203', compare: '2026-02-30' }, /compare: &quot;2026-02-30&quot; is not a calendar date/],
    [{ target_type: 'public.campaigns', target_id: '203', event: '-1' }, /event: &quot;-1&quot; is not an event id/],
    [{ target_type: 'public.nothing', target_id: '1' }, /target_type: &quot;public.nothing&quot; is not an audited table/],
    [{ target_type: 'public.campaigns' }, /target_id: required/],
  ];
  for (const [q, why] of cases) {
    const res = await viewer.get(page(q));
    assert.is(res.status, 400, JSON.stringify(q));
    const html = await res.text();
    assert.match(html, /id="as-of-error"/);
    assert.match(html, why);
    assert.match(html, /id="as-of-form"/, 'the form stays to correct it');
  }
  const none = await viewer.get(page({ target_type: 'public.campaigns', target_id: '999' }));
  assert.is(none.status, 404);
  assert.match(await none.text(), /id="no-history".*no row change of public.campaigns #999 is recorded/s);
  const ok = await viewer.get(page({ target_type: 'campaign', target_id: '203' }));
  assert.is(ok.status, 200, 'the application type names the table too');
  assert.match(await ok.text(), /<span class="ttype">public.campaigns<\/span>/);
});

t('the page says when the record did not exist, was deleted or truncated, or is unknown, and why the history is incomplete', async ({ f, viewer }) => {
  const db = f.db.pool;
  await db.query(`CREATE TABLE notes (id int PRIMARY KEY, body text)`);
  await db.query(`INSERT INTO notes VALUES (1, 'before auditing')`);
  await enableAudit(db, { schema: 'public', table: 'notes' }, {});
  await db.query(`UPDATE notes SET body = 'audited'`);
  await db.query(`INSERT INTO notes VALUES (2, 'short-lived')`);
  await db.query(`DELETE FROM notes WHERE id = 2`);
  await db.query(`INSERT INTO notes VALUES (3, 'truncated')`);
  await db.query(`TRUNCATE notes`);
  f.clock.now = new Date();
  const html = async (q: Record<string, string>) => {
    const res = await viewer.get(page({ target_type: 'public.notes', ...q }));
    assert.is(res.status, 200, JSON.stringify(q));
    return res.text();
  };
  const unknown = await html({ target_id: '1', at: '2001-01-01' });
  assert.match(unknown, /id="as-of-state" data-exists="null"/);
  assert.match(unknown, /id="as-of-state-unknown">Unknown: the record(?:'|&#39;)s history does not reach back this far/);
  assert.match(unknown, /id="history-incomplete".*data-kind="predates_auditing"/s);
  const notYet = await html({ target_id: '2', at: '2001-01-01' });
  assert.match(notYet, /id="as-of-state-gone">Did not exist yet: it was created at/);
  const deleted = await html({ target_id: '2' });
  assert.match(deleted, /id="as-of-state-gone">Deleted at .*The row as last recorded:/s);
  assert.match(deleted, /<code class="v">short-lived<\/code>/);
  assert.match(deleted, /id="history-complete"/, 'positive control: inserted and deleted while audited');
  const truncated = await html({ target_id: '3' });
  assert.match(truncated, /id="as-of-state-gone">Removed when the table was truncated at/);
  assert.match(truncated, /data-kind="truncated"/);
});

t('without a session: to the sign-in page, nothing shown', async ({ f }) => {
  const res = await new Client(f.app).get(page({ target_type: 'public.campaigns', target_id: '203' }));
  assert.ok(res.status === 303 || res.status === 302, String(res.status));
  assert.match(res.headers.get('location') ?? '', /\/sign-in/);
});

t('API: the documented shape, numbers exact, the same state as the page', async ({ app, token, ids, times }) => {
  const [insert, scheduled, send, sent] = ids;
  const res = await app.request(`/api/v1${page({ target_type: 'public.campaigns', target_id: '203', at: times[1], compare: times[3] })}`, bearer(token));
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'application/json');
  const text = await res.text();
  assert.match(text, /"budget":12345678901234567890\.123456789[,}]/, 'digit for digit, not rounded');
  const body = JSON.parse(text);
  assert.equal(Object.keys(body), ['target_type', 'target_id', 'entity', 'label', 'as_of', 'after_event', 'exists', 'record_target_id', 'record', 'basis_event',
    'removed_by', 'last_record', 'columns', 'complete', 'incomplete', 'keys', 'first_event', 'history', 'events_used', 'timeline', 'compare', 'diff']);
  assert.is(body.as_of, times[1]);
  assert.equal([body.exists, body.complete, body.entity, body.record.status], [true, true, 'campaign', 'scheduled']);
  assert.not.ok('secret' in body.record);
  assert.equal(body.columns.find((c: { name: string }) => c.name === 'secret'), { name: 'secret', value: 'absent', dropped_since: false, not_in_image: true, excluded: true, ignored: false });
  assert.is(body.basis_event.id, Number(scheduled));
  assert.is(body.first_event.id, Number(insert));
  assert.equal(body.incomplete, []);
  assert.equal(body.events_used, [Number(scheduled), Number(sent)]);
  assert.equal(body.timeline.events.map((e: { id: number; kind: string }) => [String(e.id), e.kind]),
    [[insert, 'row'], [scheduled, 'row'], [send, 'application'], [sent, 'row']]);
  assert.equal(body.compare.record.status, 'sent');
  const status = body.diff.fields.find((f: { field: string }) => f.field === 'status');
  assert.equal(status, { field: 'status', before: 'scheduled', after: 'sent', in_before: true, in_after: true, changed: true, events: [Number(sent)] });
  assert.is(body.diff.events_capped, false);
});

t('API: strict parameters, reasons in JSON, 404 without history, 401 without a token', async ({ app, token }) => {
  const get = async (q: string, auth = bearer(token)) => {
    const res = await app.request(`/api/v1/records/as-of?${q}`, auth);
    return { status: res.status, body: await res.json() };
  };
  assert.equal(await get('target_type=public.campaigns&target_id=203&att=2026-01-01'), { status: 400, body: { error: 'att: is not a parameter here; use target_type, target_id, at, event, compare' } });
  const bad = await get('target_type=public.campaigns&target_id=203&at=13/01/2026');
  assert.is(bad.status, 400);
  assert.match(bad.body.error, /^at: "13\/01\/2026" is not a date or time/);
  const none = await get('target_type=public.campaigns&target_id=404');
  assert.is(none.status, 404);
  assert.match(none.body.error, /no row change of public.campaigns #404/);
  assert.is((await get('target_type=public.campaigns&target_id=203', {} as never)).status, 401);
  assert.is((await get('target_type=public.campaigns&target_id=203')).status, 200, 'positive control');
});

t.run();
