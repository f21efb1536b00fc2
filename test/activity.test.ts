// The activity panel's numbers (src/query/activity.ts) against a brute-force count on a real
// database: live (no rollup yet), from the rollup (audit.activity_rollup via audit.maintain), with
// an event committed after its hour was rolled up, and after retention dropped a partition. And
// the console: bars and facet links narrow the list to exactly the counts they show.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ACTORS_SAMPLE, activity, type Activity } from '../src/query/activity.ts';
import { bucketSize } from '../src/query/activity-buckets.ts';
import { parseFilter } from '../src/query/filter.ts';
import { createConsolePool } from '../src/db/console-pool.ts';
import { createApp } from '../src/server/app.ts';
import { Client, consoleFixture, type ConsoleFixture } from './helpers/console.ts';

const HOUR = 3_600_000;
interface Ctx { f: ConsoleFixture; now: Date }
const t = suite<Ctx>('activity');

t.before(async (ctx) => {
  ctx.f = await consoleFixture('activity');
  ctx.now = new Date();
  // 6,000 events over the last 3 days, a burst of failed sign-ins 5 hours ago, skewed actors.
  await ctx.f.db.pool.query(`
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user, verb)
    SELECT $1::timestamptz - g * interval '43 seconds', txid_current(), (ARRAY['insert','update','delete','broadcast.send'])[1 + g % 4],
           (ARRAY['public.contacts','public.lists','broadcast'])[1 + (g / 7) % 3], (g % 500)::text,
           CASE WHEN g % 11 = 0 THEN 'api_token' ELSE 'user' END, 'u' || (g * g % 37), 'Person ' || (g * g % 37), 'app',
           CASE WHEN g % 4 = 1 AND g % 3 = 0 THEN 'send' WHEN g % 4 = 1 AND g % 5 = 0 THEN 'pause' END
      FROM generate_series(1, 6000) g`, [ctx.now]);
  await ctx.f.db.pool.query(`
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user)
    SELECT $1::timestamptz - interval '5 hours' + g * interval '100 ms', txid_current(), 'auth.sign_in_failed', 'user', 'u9', 'user', 'u9', 'Person 9', 'app'
      FROM generate_series(1, 400) g`, [ctx.now]);
});
t.after(async (ctx) => ctx.f?.close());

/** Every number of the panel, recounted from audit.events with plain SQL over [a.from, a.to). */
async function assertExact(ctx: Ctx, query: string, a: Activity, label: string) {
  const f = parseFilter(new URLSearchParams(query));
  const extra: string[] = [];
  const values: unknown[] = [a.from, a.to];
  if (f.action) { values.push(f.action[0]); extra.push(`action = $${values.length}`); }
  if (f.actor_type) { values.push(f.actor_type); extra.push(`actor_type = $${values.length}`); }
  if (f.target_type) { values.push(f.target_type); extra.push(`target_type = $${values.length}`); }
  if (f.actor_id) { values.push(f.actor_id); extra.push(`actor_id = $${values.length}`); }
  if (f.verb) { values.push(f.verb[0]); extra.push(`verb = $${values.length}`); }
  if (f.ip) { values.push(f.ip); extra.push(`ip = $${values.length}::inet`); }
  const where = ['occurred_at >= $1', 'occurred_at < $2', ...extra].join(' AND ');
  const db = ctx.f.db.pool;
  const total = Number((await db.query(`SELECT count(*) FROM audit.events WHERE ${where}`, values)).rows[0].count);
  assert.is(a.total, total, `${label}: total`);
  for (const b of a.buckets) {
    const n = Number((await db.query(`SELECT count(*) FROM audit.events WHERE ${where} AND occurred_at >= $${values.length + 1} AND occurred_at < $${values.length + 2}`, [...values, b.from, b.to])).rows[0].count);
    assert.is(b.count, n, `${label}: bar ${b.from.toISOString()}`);
  }
  const top = async (cols: string) => (await db.query(`SELECT ${cols}, count(*)::int AS n FROM audit.events WHERE ${where} GROUP BY ${cols} ORDER BY n DESC, ${cols} LIMIT 8`, values)).rows;
  assert.equal(a.actions.map((x) => [x.action, x.count]), (await top('action')).map((r) => [r.action, r.n]), `${label}: actions`);
  const verbs = (await db.query(`SELECT verb, count(*)::int AS n FROM audit.events WHERE ${where} AND verb IS NOT NULL GROUP BY verb ORDER BY n DESC, verb LIMIT 8`, values)).rows;
  assert.equal(a.verbs.map((x) => [x.verb, x.count]), verbs.map((r) => [r.verb, r.n]), `${label}: verbs`);
  assert.equal(a.targetTypes.map((x) => [x.target_type, x.count]), (await top('target_type')).map((r) => [r.target_type, r.n]), `${label}: target types`);
  // Labelled with actorsSince, the top actors are those of the newest ACTORS_SAMPLE matches, the
  // oldest of them from that time: recounted over the same sample.
  const from = a.actorsSince ? `(SELECT * FROM audit.events WHERE ${where} ORDER BY id DESC LIMIT $${values.length + 1}) AS newest` : `audit.events WHERE ${where}`;
  const actors = (await db.query(`SELECT actor_type, actor_id, count(*)::int AS n, min(min(occurred_at)) OVER () AS since FROM ${from}
      GROUP BY actor_type, actor_id ORDER BY n DESC, actor_type, actor_id LIMIT 8`, a.actorsSince ? [...values, ACTORS_SAMPLE] : values)).rows;
  assert.equal(a.actors.map((x) => [x.actor_type, x.actor_id, x.count]), actors.map((r) => [r.actor_type, r.actor_id, r.n]), `${label}: actors`);
  if (a.actorsSince) assert.is(a.actorsSince.toISOString(), actors[0].since.toISOString(), `${label}: actors since the oldest of the sample`);
}

const SHAPES = ['window=24h', 'window=7d', 'window=1h', 'action=auth.sign_in_failed&window=24h', 'verb=send&window=7d', 'actor_type=api_token&window=7d', 'target_type=broadcast&window=30d', ''];

t('bucket sizes: 5 min for an hour, hours for a day, 6 h for a week, days for 30 days', () => {
  const to = new Date('2026-11-24T12:34:56Z');
  const size = (ms: number) => bucketSize(new Date(to.getTime() - ms), to);
  assert.is(size(HOUR), 5 * 60_000);
  assert.is(size(24 * HOUR), HOUR);
  assert.is(size(7 * 24 * HOUR), 6 * HOUR);
  assert.is(size(30 * 24 * HOUR), 24 * HOUR);
});

t('live (before any rollup): every bar and facet matches a brute-force count', async (ctx) => {
  for (const q of SHAPES) {
    const a = await activity(ctx.f.pool, parseFilter(new URLSearchParams(q)), ctx.now);
    assert.is(a.source, 'live', q);
    await assertExact(ctx, q, a, `live ${q}`);
  }
  const burst = await activity(ctx.f.pool, parseFilter(new URLSearchParams('window=24h')), ctx.now);
  const peak = burst.buckets.reduce((m, b) => (b.count > m.count ? b : m));
  assert.ok(peak.from.getTime() <= ctx.now.getTime() - 5 * HOUR && peak.to.getTime() > ctx.now.getTime() - 5 * HOUR, 'the burst of failed sign-ins is the tallest bar');
});

t('from the rollup, with an event committed after its hour was rolled up, and after a retention drop', async (ctx) => {
  const db = ctx.f.db.pool;
  // An old month to expire, and a transaction that writes 2 hours back and stays open over a rollup.
  await db.query(`INSERT INTO audit.events (occurred_at, tx_id, action, target_type, actor_type, actor_id, db_user)
    SELECT $1::timestamptz - interval '200 days' + g * interval '1 minute', txid_current(), 'update', 'public.old', 'user', 'u1', 'app' FROM generate_series(1, 50) g`, [ctx.now]);
  await db.query('SELECT audit.maintain()'); // the old event lands in the default partition: moved into its own
  const late = await db.connect();
  try {
    await late.query('BEGIN');
    await late.query(`INSERT INTO audit.events (occurred_at, tx_id, action, target_type, actor_type, actor_id, actor_name, db_user)
      VALUES ($1::timestamptz - interval '2 hours', txid_current(), 'delete', 'public.contacts', 'user', 'u1', 'Person 1', 'app')`, [ctx.now]);
    await db.query('SELECT audit.maintain()'); // rolls up everything committed; the late one is in flight
    await late.query('COMMIT');
  } finally { late.release(); }
  const { rows } = await db.query('SELECT count(*)::int AS n FROM audit.activity_hours');
  assert.ok(rows[0].n > 0, 'the rollup ran');
  for (const q of SHAPES) {
    const a = await activity(ctx.f.pool, parseFilter(new URLSearchParams(q)), ctx.now);
    assert.is(a.source, q === 'window=1h' ? 'live' : 'rollup', q);
    await assertExact(ctx, q, a, `rollup, late event in the tail, ${q}`);
  }
  await db.query('SELECT audit.maintain()'); // now the late event is rolled up too, exactly once
  const all = await activity(ctx.f.pool, parseFilter(new URLSearchParams('')), ctx.now);
  await assertExact(ctx, '', all, 'late event rolled up');
  assert.ok(all.from.getTime() <= ctx.now.getTime() - 199 * 24 * HOUR, 'any time reaches back to the old month');

  await db.query(`UPDATE audit.settings SET retention = interval '60 days'`);
  const dropped = await db.query(`SELECT * FROM audit.maintain() WHERE action = 'dropped'`);
  assert.ok(dropped.rows.length >= 1, 'retention dropped the old partition');
  const after = await activity(ctx.f.pool, parseFilter(new URLSearchParams('')), ctx.now);
  assert.is(after.source, 'rollup');
  await assertExact(ctx, '', after, 'after the retention drop');
  assert.ok(after.from.getTime() > ctx.now.getTime() - 199 * 24 * HOUR, 'the dropped month left the rollup');
});

t('console: the panel above the list; a bar and a facet link narrow the list to the counts they show', async (ctx) => {
  const c = new Client(ctx.f.app);
  await c.signIn('viewer@example.com');
  const html = await (await c.get('/events?window=24h')).text();
  assert.match(html, /id="activity"/);
  const bars = [...html.matchAll(/<a href="([^"]+)" aria-label="([^"]+)" class="bar" data-events="(\d+)"/g)];
  assert.ok(bars.length >= 24 && bars.length <= 25, `24-hour bars: ${bars.length}`);
  const [, href, aria, n] = bars.find((b) => Number(b[3]) > 0)!;
  assert.match(aria, /UTC: [\d,]+ events?/);
  const url = new URL(href.replace(/&amp;/g, '&'), 'http://x');
  assert.is(url.searchParams.get('window'), null, 'the bar drops the window');
  assert.ok(url.searchParams.get('from') && url.searchParams.get('to'));
  const narrowed = await (await c.get(url.pathname + url.search)).text();
  assert.match(narrowed, new RegExp(`data-count="${Number(n) > 10000 ? '10000\\+' : n}"`), 'the list counts what the bar said');
  const actor = /id="top-actors">.*?<a href="([^"]+)"/s.exec(html)![1].replace(/&amp;/g, '&');
  assert.match(actor, /actor_type=\w+/);
  assert.match(actor, /actor_id=u\d+/);
  const action = /id="top-actions">.*?<a href="([^"]+)"/s.exec(html)![1].replace(/&amp;/g, '&');
  assert.match(action, /action=[\w.]+/);
  const target = /id="top-target-types">.*?<a href="([^"]+)"/s.exec(html)![1].replace(/&amp;/g, '&');
  assert.match(target, /target_type=[\w.]+/);
  assert.match(html, /id="top-verbs">.*?<a href="[^"]*verb=send[^"]*"/s, 'the verbs of the window are listed, each a link adding verb=');
  // htmx: the filter form's fragment alone; a panel link asks for the page (form and results).
  const fragment = await (await c.get('/events?window=24h', { 'hx-request': 'true' })).text();
  assert.match(fragment, /id="activity"/);
  assert.not.match(fragment, /id="filters"/);
  const whole = await (await c.get('/events?window=24h', { 'hx-request': 'true', 'x-pgtrail-whole-page': '1' })).text();
  assert.match(whole, /id="filters"/);
  assert.match(whole, /id="results"/);
});

t('a cut panel says so and the list still renders (the rollup state locked, so only the panel waits)', async (ctx) => {
  const bounded = createConsolePool(ctx.f.db.url, 4, { statementTimeoutMs: 1000 });
  const holder = await ctx.f.db.pool.connect();
  try {
    const c = new Client(createApp({ ...ctx.f.deps, reads: { pool: bounded, timeoutMs: 1000 } }));
    await c.signIn('viewer@example.com');
    const control = await (await c.get('/events?window=24h')).text();
    assert.match(control, /class="bar"/, 'control: without the lock the panel draws its bars');
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE audit.activity_state IN ACCESS EXCLUSIVE MODE');
    const res = await c.get('/events?window=24h');
    const html = await res.text();
    assert.is(res.status, 200, 'the page is not an error');
    assert.match(html, /id="activity" data-timeout="">[^]*took longer than 1 s/, 'the panel says it was cut');
    assert.not.match(html, /class="bar"/);
    assert.match(html, /data-count="\d+\+?"/, 'the count renders');
    assert.match(html, /class="rowlink"/, 'the rows render');
  } finally {
    await holder.query('ROLLBACK').catch(() => {});
    holder.release();
    await bounded.end();
  }
});

t('a filter the rollup cannot answer is counted live, and says so when capped', async (ctx) => {
  const a = await activity(ctx.f.pool, parseFilter(new URLSearchParams('q=Person&window=7d')), ctx.now);
  assert.is(a.source, 'live');
  assert.is(a.partial, undefined, 'under the cap: the whole window, exactly');
  assert.ok(a.total > 0);
});

t('past the caps: a live count is exact from the time it names; top actors of the newest 10,000 say so', async (ctx) => {
  const db = ctx.f.db.pool;
  // 60,000 exports from one address over the last 2 days (more than ACTIVITY_CAP), several actors.
  await db.query(`INSERT INTO audit.events (occurred_at, tx_id, action, target_type, actor_type, actor_id, actor_name, ip, db_user)
    SELECT $1::timestamptz - g * interval '2.7 seconds', txid_current(), 'export.create', 'export', 'user', 'x' || (g % 13), 'Exporter ' || (g % 13), '192.0.2.9', 'app'
      FROM generate_series(1, 60000) g`, [ctx.now]);
  const ip = 'ip=192.0.2.9&window=7d';
  const a = await activity(ctx.f.pool, parseFilter(new URLSearchParams(ip)), ctx.now);
  assert.is(a.source, 'live');
  assert.ok(a.partial, 'capped: says so');
  assert.ok(a.total <= 50_000 && a.total > 49_000, `the newest 50,000 at most (${a.total})`);
  await assertExact(ctx, ip, a, 'capped live, over the span it names');

  await db.query('SELECT audit.maintain()');
  const q = 'action=export.create&window=7d';
  const b = await activity(ctx.f.pool, parseFilter(new URLSearchParams(q)), ctx.now);
  assert.is(b.source, 'rollup');
  assert.is(b.total, 60_000);
  assert.ok(b.actorsSince, 'top actors labelled: of the newest 10,000 only');
  const newest = (await db.query(`SELECT actor_type, actor_id, count(*)::int AS n FROM (SELECT actor_type, actor_id FROM audit.events
      WHERE action = 'export.create' AND occurred_at >= $1 ORDER BY id DESC LIMIT 10000) s GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT 8`, [new Date(ctx.now.getTime() - 7 * 24 * HOUR)])).rows;
  assert.equal(b.actors.map((x) => [x.actor_type, x.actor_id, x.count]), newest.map((r) => [r.actor_type, r.actor_id, r.n]));
  await assertExact(ctx, q, b, 'rollup with an action, past the actor sample');
});

t.run();
