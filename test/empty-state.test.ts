// The empty result over HTTP: it suggests only what would widen the result given the filters in
// use (no time limit set → nothing about the time window; an actor → a shorter start or clearing
// it), each with a link to the same list without that filter, which does show events; and an
// empty log says nothing has been recorded instead of suggesting filters that are not there.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EmptyState } from '../views/empty-state.tsx';
import { Client, consoleFixture, type ConsoleFixture } from './helpers/console.ts';

const t = suite<{ f: ConsoleFixture; c: Client }>('empty-state');

t.before(async (ctx) => {
  ctx.f = await consoleFixture('empty_state');
  await ctx.f.db.pool.query(`
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, db_user)
    SELECT now() - g * interval '1 minute', 100 + g, 'update', 'public.contacts', g::text, 'user', '7', 'aisha@example.com', '10.0.0.1', 'app'
      FROM generate_series(1, 5) AS g`);
  ctx.c = new Client(ctx.f.app);
  await ctx.c.signIn('auditor@example.com');
});
t.after(async (ctx) => ctx.f?.close());

const count = (html: string) => /data-count="([^"]+)"/.exec(html)?.[1];
const decode = (s: string) => s.replace(/&amp;/g, '&');
/** The suggestions of an empty result: key → the link it offers. */
function suggested(html: string): Record<string, string> {
  return Object.fromEntries([...html.matchAll(/<li data-suggest="([^"]+)">([\s\S]*?)<\/li>/g)]
    .map((m) => [m[1], decode(/href="([^"]+)"/.exec(m[2])?.[1] ?? '')]));
}

t('no time limit set: no suggestion about the time window; an actor: a shorter start, or clear it', async ({ c }) => {
  const html = await (await c.get('/events?actor=aishax')).text();
  assert.is(count(html), '0');
  assert.not.match(html, /time window/i);
  assert.equal(suggested(html), { actor: '/events' });
  assert.match(html, /No actor id is <code>aishax<\/code> and no name or email starts with it: try fewer characters, or <a href="\/events">clear the actor<\/a>/);
  // The suggestion holds: a shorter start finds the events.
  assert.is(count(await (await c.get('/events?actor=aisha')).text()), '5');
});

t('a time window in use: suggested, with a link that drops window, from and to and keeps the rest', async ({ c }) => {
  const html = await (await c.get('/events?ip=10.0.0.1&from=2000-01-01&to=2000-01-02')).text();
  assert.is(count(html), '0');
  const s = suggested(html);
  assert.equal(Object.keys(s).sort(), ['ip', 'time']);
  assert.is(s.time, '/events?ip=10.0.0.1');
  assert.is(s.ip, '/events?from=2000-01-01&to=2000-01-02');
  assert.match(html, /Widen the time window: <a href="\/events\?ip=10.0.0.1">any time<\/a>/);
  assert.is(count(await (await c.get(s.time)).text()), '5', 'following it shows events');
  assert.equal(Object.keys(suggested(await (await c.get('/events?window=1h&actor=nobody')).text())).sort(), ['actor', 'time']);
});

t('search text and other filters: each one in use is named, none that is not', async ({ c }) => {
  const html = await (await c.get('/events?q=zzqx&action=delete&target_type=public.lists&window=24h')).text();
  assert.is(count(html), '0');
  const s = suggested(html);
  assert.equal(Object.keys(s).sort(), ['action', 'q', 'target_type', 'time']);
  assert.is(s.q, '/events?action=delete&target_type=public.lists&window=24h');
  assert.match(html, /Search for a shorter part of the text, or <a [^>]*>clear the search<\/a>/);
  assert.match(html, /Remove the target type filter: <a [^>]*>without it<\/a>/);
  assert.not.match(html, /data-suggest="actor"|data-suggest="ip"/);
});

t('the htmx fragment carries the same empty state', async ({ c }) => {
  const body = await (await c.get('/events?actor=aishax', { 'HX-Request': 'true' })).text();
  assert.match(body, /^<section id="results"/);
  assert.equal(suggested(body), { actor: '/events' });
});

t('no filters and nothing recorded: says so, and suggests no filters', async ({ c }) => {
  // Positive control over HTTP: a filtered empty log suggests the filter.
  assert.equal(suggested(await (await c.get('/sign-ins?result=failed')).text()), { result: '/sign-ins' });
  // Once signed in, the log holds that sign-in, so an unfiltered empty list is rendered directly.
  for (const [kind, text] of [['events', /Nothing has been recorded: enable auditing on a table \(<code>pgtrail enable<\/code>\)/], ['sign-ins', /No one has signed in, failed to, or signed out yet/]] as const) {
    const html = String(await EmptyState({ kind, basePath: `/${kind}`, params: new URLSearchParams('live=1') }).toString());
    assert.match(html, /data-empty="nothing-recorded"/);
    assert.match(html, /<strong>No events yet\.<\/strong>/);
    assert.match(html, text);
    assert.not.match(html, /data-suggest=|time window/, 'live is a mode, not a filter');
  }
  const older = String(await EmptyState({ kind: 'events', basePath: '/events', params: new URLSearchParams('cursor=abc') }).toString());
  assert.equal(suggested(older), { cursor: '/events' }, 'an older page past the last match links back to the newest');
});

t.run();
