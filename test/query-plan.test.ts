// One query plan per request: the console's list (page, count, hint, activity panel, target names),
// the API's page and the export each make the plan's catalog reads once — the search-index lookup,
// the audited_tables read and the partition lookup — on a real pool that is only observed. And
// the window: one definition of where it ends, for every consumer.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { installDemo, makeDemoChanges } from '../src/demo/seed.ts';
import { createToken } from '../src/accounts/tokens.ts';
import { parseFilter } from '../src/query/filter.ts';
import { planQuery } from '../src/query/plan.ts';
import { queryWindow } from '../src/query/window.ts';
import { readFileSync } from 'node:fs';
import { APP_ACTIONS_ONLY } from '../src/query/predicate.ts';
import { ACTOR_TYPES } from '../src/audit/context.ts';
import { Client, consoleFixture, type ConsoleFixture } from './helpers/console.ts';
import { bearer } from './helpers/api.ts';

interface Ctx { f: ConsoleFixture; c: Client; token: string; sent: string[] }
const t = suite<Ctx>('query-plan');

const CATALOG = { index: /pg_get_indexdef/, tables: /FROM audit\.audited_tables/, partitions: /FROM audit\.partitions\(\)/ } as const;

/** Records every statement text the pool runs: pool.query, too, runs on a client the pool lends. */
function observe(pool: pg.Pool, sent: string[]): void {
  const seen = new WeakSet<object>();
  const wrap = (target: { query: (...args: any[]) => any }) => {
    const query = target.query.bind(target);
    target.query = (...args: any[]) => {
      sent.push(typeof args[0] === 'string' ? args[0] : String(args[0]?.text ?? ''));
      return query(...args);
    };
  };
  pool.on('acquire', (client) => {
    if (seen.has(client)) return;
    seen.add(client);
    wrap(client as any);
  });
}

function catalogReads(sent: string[]): Record<keyof typeof CATALOG, number> {
  const n = (re: RegExp) => sent.filter((s) => re.test(s)).length;
  return { index: n(CATALOG.index), tables: n(CATALOG.tables), partitions: n(CATALOG.partitions) };
}

t.before(async (ctx) => {
  ctx.f = await consoleFixture('query_plan');
  await installDemo(ctx.f.db.pool);
  await makeDemoChanges(ctx.f.db.pool);
  ctx.c = new Client(ctx.f.app);
  await ctx.c.signIn('auditor@example.com');
  const admin = await ctx.f.db.pool.connect();
  try {
    ctx.token = (await createToken(admin, 't-plan', 'auditor')).token;
  } finally {
    admin.release();
  }
  ctx.sent = [];
  observe(ctx.f.pool, ctx.sent);
});
t.after(async (ctx) => ctx.f?.close());

/** `to` a day before the fixture's clock: a window ending in the past, so the page plan looks up its partition. */
const pastTo = (f: ConsoleFixture) => new Date(f.clock.now.getTime() - 86_400_000).toISOString();

t('the observer sees the pool\'s statements (positive control)', async ({ f, sent }) => {
  sent.length = 0;
  await f.pool.query(`SELECT count(*) FROM audit.audited_tables`);
  assert.is(catalogReads(sent).tables, 1);
});

t('one console list request (q, a target type, a past `to`): each catalog lookup once', async ({ f, c, sent }) => {
  sent.length = 0;
  const res = await c.get(`/events?q=ada&target_type=demo.contacts&to=${encodeURIComponent(pastTo(f))}`);
  assert.is(res.status, 200);
  const html = await res.text();
  // The page, the count, the hint and the activity panel all ran on this one plan.
  assert.match(html, /data-count="/);
  assert.match(html, /Free text scans every event in the window/, 'the hint (no search index) came from the plan');
  assert.match(html, /<datalist id="target-types">.*<option value="demo\.contacts"/s, 'the target types offered came from the same audited_tables read');
  assert.equal(catalogReads(sent), { index: 1, tables: 1, partitions: 1 });
});

t('the htmx fragment and the sign-in log plan once too; a filter that needs no lookup makes none', async ({ f, c, sent }) => {
  sent.length = 0;
  assert.is((await c.get(`/events?q=ada&to=${encodeURIComponent(pastTo(f))}`, { 'HX-Request': 'true' })).status, 200);
  assert.equal(catalogReads(sent), { index: 1, tables: 1, partitions: 1 });
  sent.length = 0;
  assert.is((await c.get('/sign-ins?window=24h', { 'HX-Request': 'true' })).status, 200);
  assert.equal(catalogReads(sent), { index: 0, tables: 1, partitions: 0 }, 'no q: no index lookup; window reaches now: no partition lookup');
});

t('the API page and the export: each lookup once, and none they do not use', async ({ f, token, sent }) => {
  const to = encodeURIComponent(pastTo(f));
  sent.length = 0;
  const page = await f.app.request(`/api/v1/events?q=ada&target_type=demo.contacts&to=${to}`, bearer(token));
  assert.is(page.status, 200, await page.clone().text());
  assert.equal(catalogReads(sent), { index: 1, tables: 1, partitions: 1 });
  sent.length = 0;
  const csv = await f.app.request(`/api/v1/events.csv?q=ada&to=${to}`, bearer(token));
  assert.is(csv.status, 200);
  await csv.text();
  // The export reads no page, but its plan is the same: the partition lookup is the page plan's.
  assert.equal(catalogReads(sent), { index: 1, tables: 0, partitions: 1 }, 'no target type: no audited_tables read');
});

t('one definition of the window end: `to` when in the past, else now', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const w = (q: string) => queryWindow(parseFilter(new URLSearchParams(q)), now);
  assert.equal(w('from=2026-03-10T06:00Z&to=2026-03-10T09:00Z'), { from: new Date('2026-03-10T06:00Z'), to: new Date('2026-03-10T09:00Z'), end: new Date('2026-03-10T09:00Z'), spanMs: 3 * 3_600_000, past: true });
  const future = w('from=2026-03-10T06:00Z&to=2026-03-11');
  assert.equal([future.end, future.spanMs, future.past], [now, 6 * 3_600_000, false], 'a future `to` ends the recorded window at now');
  assert.equal([w('window=1h').from, w('window=1h').spanMs], [new Date('2026-03-10T11:00Z'), 3_600_000]);
  assert.is(w('to=2026-03-01').spanMs, Infinity, 'no start: unbounded');
});

t('the plan hands every consumer the same facts', async ({ f }) => {
  const now = f.clock.now;
  const plan = await planQuery(f.pool, parseFilter(new URLSearchParams('q=ada&window=7d&target_type=demo.contacts')), now, { targets: true });
  assert.is(plan.searchIndex, false);
  assert.is(plan.usesSearchIndex, false);
  assert.equal(plan.page, { kind: 'walk' }, 'a window reaching the present is walked');
  assert.ok(plan.targets?.types.includes('demo.contacts'));
  assert.equal(plan.sameTarget, plan.targets!.sameAs('demo.contacts'));
  assert.is(plan.window.end, now);
});

t('derived lists: the partial index predicate reads as the index declares it; the form offers every actor type', async ({ c }) => {
  const events = readFileSync(new URL('../sql/tables/events.sql', import.meta.url), 'utf8');
  assert.ok(events.includes(`WHERE ${APP_ACTIONS_ONLY};`), APP_ACTIONS_ONLY);
  const html = await (await c.get('/events?actor_type=db_role')).text();
  const offered = [...html.matchAll(/<select id="f-actor_type".*?<\/select>/gs)][0]?.[0] ?? '';
  assert.equal([...offered.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]), ['', ...ACTOR_TYPES]);
  assert.match(offered, /<option value="db_role" selected="">database role<\/option>/);
});

t('a refused filter keeps the actions as typed in the form; a parsed one shows them parsed', async ({ c }) => {
  const refused = await c.get('/events?action=insert&action=auth.*.x');
  assert.is(refused.status, 400);
  const bad = await refused.text();
  assert.match(bad, /value="auth\.\*\.x"/, 'the bad action is echoed for fixing');
  assert.match(bad, /value="insert" checked=""/);
  const ok = await (await c.get('/events?action=delete,%20auth.*')).text();
  assert.match(ok, /value="delete" checked=""/);
  assert.match(ok, /aria-label="Other actions" value="auth\.\*"/);
});

t.run();
