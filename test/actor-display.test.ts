// Who an event is shown as (actor_display, one SQL definition: ACTOR_DISPLAY) on every surface —
// the console's list and detail, the API, CSV and JSON Lines — including events without an
// application actor (a DBA's delete from psql; hand-written rows with no actor at all), and the
// detail page's record-history link, which only an event about one record (a target id) has.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { enableAudit } from '../src/audit/enable.ts';
import { EVENT_FIELDS } from '../src/query/columns.ts';
import { createToken } from '../src/accounts/tokens.ts';
import { Client, consoleFixture, type ConsoleFixture } from './helpers/console.ts';
import { csvRecords } from './helpers/csv.ts';

interface Ctx { f: ConsoleFixture; c: Client; token: string; role: string; ids: Record<string, string> }
const t = suite<Ctx>('actor-display');

// target_id → [actor_type, actor_id, actor_name, db_user, app_name]; target_type 'actor.case'.
const CASES: Record<string, [string, string | null, string | null, string, string | null]> = {
  'no-actor-app': ['db_role', null, null, 'dba', 'psql'],
  'no-actor': ['db_role', null, null, 'dba', null],
  'no-actor-empty-app': ['db_role', null, null, 'dba', ''],
  'user': ['user', '42', 'aisha@example.com', 'app', 'web'],
  'system-id-only': ['system', 'cron', null, 'app', 'worker'],
  'name-only': ['user', null, 'admin@example.org', 'app', 'web'],
  'formula': ['user', 'x', '=HYPERLINK("http://evil")', 'app', 'web'],
};

t.before(async (ctx) => {
  ctx.f = await consoleFixture('actor_display');
  const db = ctx.f.db.pool;
  ctx.role = (await db.query('SELECT session_user AS r')).rows[0].r;
  for (const [id, [type, actorId, name, dbUser, app]] of Object.entries(CASES)) {
    await db.query(`INSERT INTO audit.events (tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user, app_name)
      VALUES (txid_current(), 'case.show', 'actor.case', $1, $2, $3, $4, $5, $6)`, [id, type, actorId, name, dbUser, app]);
  }
  // The real fallback: a delete from psql with no context (audit.current_context: the session user).
  await db.query('CREATE TABLE public.notes (id int PRIMARY KEY, body text)');
  await enableAudit(db, { schema: 'public', table: 'notes' }, {});
  await db.query(`INSERT INTO public.notes VALUES (7, 'x')`);
  const psql = new pg.Client({ connectionString: ctx.f.db.url, application_name: 'psql' });
  await psql.connect();
  try {
    await psql.query('DELETE FROM public.notes WHERE id = 7');
  } finally {
    await psql.end();
  }
  // A failed sign-in for an unknown email: an event about no record.
  await db.query(`INSERT INTO audit.events (tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user, metadata)
    VALUES (txid_current(), 'auth.sign_in_failed', 'user', NULL, 'user', NULL, 'nobody@example.com', 'app', '{"reason":"bad_credentials"}')`);
  const { rows } = await db.query(`SELECT id::text, coalesce(target_id, action) AS k, action FROM audit.events WHERE target_type IN ('actor.case', 'public.notes', 'user')`);
  ctx.ids = Object.fromEntries(rows.map((r) => [r.action === 'delete' ? 'psql-delete' : r.k, r.id]));
  const admin = await db.connect();
  try {
    ctx.token = (await createToken(admin, 'actors', 'auditor')).token;
  } finally {
    admin.release();
  }
  ctx.c = new Client(ctx.f.app);
  await ctx.c.signIn('auditor@example.com');
});
t.after(async (ctx) => ctx.f?.close());

const EXPECTED: Record<string, string> = {
  'no-actor-app': 'dba (psql)',
  'no-actor': 'dba',
  'no-actor-empty-app': 'dba',
  'user': 'aisha@example.com',
  'system-id-only': 'cron',
  'name-only': 'admin@example.org',
  'formula': '=HYPERLINK("http://evil")',
};

t('the fixture: the psql delete was recorded by the fallback, as the database role', async ({ f, role }) => {
  const { rows } = await f.db.pool.query(`SELECT actor_type, actor_id, actor_name, db_user, app_name FROM audit.events WHERE target_type = 'public.notes' AND action = 'delete'`);
  assert.equal(rows, [{ actor_type: 'db_role', actor_id: role, actor_name: role, db_user: role, app_name: 'psql' }]);
});

t('API: actor_display follows metadata (then the label and verb); the application actor, else the database role (application)', async (ctx) => {
  const res = await ctx.f.app.request('http://localhost/api/v1/events?limit=500', { headers: { Authorization: `Bearer ${ctx.token}` } });
  const { events } = await res.json() as { events: Array<Record<string, unknown>> };
  assert.equal(Object.keys(events[0]), [...EVENT_FIELDS]);
  assert.equal(EVENT_FIELDS.slice(EVENT_FIELDS.indexOf('metadata')), ['metadata', 'actor_display', 'target_label', 'verb']);
  const byTarget = new Map(events.map((e) => [e.target_id ?? e.action, e]));
  for (const [id, shown] of Object.entries(EXPECTED)) assert.is(byTarget.get(id)?.actor_display, shown, id);
  const deleted = events.find((e) => e.target_type === 'public.notes' && e.action === 'delete')!;
  assert.is(deleted.actor_display, `${ctx.role} (psql)`);
  assert.is(deleted.actor_name, ctx.role, 'the stored fields keep their meaning');
  assert.is(byTarget.get('auth.sign_in_failed')?.actor_display, 'nobody@example.com');
  const one = await (await ctx.f.app.request(`http://localhost/api/v1/events/${ctx.ids['no-actor-app']}`, { headers: { Authorization: `Bearer ${ctx.token}` } })).json();
  assert.is(one.actor_display, 'dba (psql)');
});

t('CSV and JSON Lines: the same actor_display, after metadata; CSV guards a formula-like one unless raw', async ({ c, role }) => {
  const csvText = await (await c.get('/export.csv?target_type=actor.case')).text();
  assert.match(csvText.split('\n')[0], /,metadata,actor_display,target_label,verb$/);
  const csv = new Map(csvRecords(csvText).map((r) => [r.target_id!, r.actor_display]));
  for (const [id, shown] of Object.entries(EXPECTED)) assert.is(csv.get(id), id === 'formula' ? `'${shown}` : shown, id);
  const raw = new Map(csvRecords(await (await c.get('/export.csv?target_type=actor.case&raw=1')).text()).map((r) => [r.target_id!, r.actor_display]));
  assert.is(raw.get('formula'), EXPECTED.formula);

  const lines = (await (await c.get('/export.jsonl?target_type=actor.case')).text()).trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(Object.fromEntries(lines.map((e) => [e.target_id, e.actor_display])), EXPECTED);
  const notes = (await (await c.get('/export.jsonl?target_type=public.notes&action=delete')).text()).trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(notes.map((e) => e.actor_display), [`${role} (psql)`]);
});

t('console list: the database role and application instead of "—"; #id only beside a different name', async ({ c, role }) => {
  const html = await (await c.get('/events?target_type=actor.case')).text();
  const actors = [...html.matchAll(/<span class="actor"><span class="atype atype-(\w+)"[^>]*>[^<]*<\/span><span class="aname">([^<]*)<\/span>(<span class="muted"> #([^<]*)<\/span>)?/g)]
    .map((m) => [m[1], m[2].replace(/&quot;/g, '"'), m[4] ?? null]);
  assert.equal(actors.sort(), [
    ['db_role', 'dba (psql)', null], ['db_role', 'dba', null], ['db_role', 'dba', null],
    ['user', 'aisha@example.com', '42'], ['system', 'cron', null], ['user', 'admin@example.org', null],
    ['user', '=HYPERLINK("http://evil")', 'x'],
  ].sort());
  assert.not.match(html, /<span class="aname">—/);
  const notes = await (await c.get('/events?target_type=public.notes&action=delete')).text();
  assert.match(notes, new RegExp(`<span class="atype atype-db_role" title="db_role">db role</span><span class="aname">${role} \\(psql\\)</span></span>`));
});

t('console detail: the header names the database role and application', async ({ c, ids, role }) => {
  const html = await (await c.get(`/events/${ids['psql-delete']}`)).text();
  assert.match(html, new RegExp(`by <span class="actor"><span class="atype atype-db_role" title="db_role">db role</span><span class="aname">${role} \\(psql\\)</span></span>`));
  const bare = await (await c.get(`/events/${ids['no-actor']}`)).text();
  assert.match(bare, /by <span class="actor"><span class="atype atype-db_role" title="db_role">db role<\/span><span class="aname">dba<\/span><\/span>/);
});

t('record history: linked for an event with a target id; none, and why, without one', async ({ c, ids }) => {
  const failed = await (await c.get(`/events/${ids['auth.sign_in_failed']}`)).text();
  assert.not.match(failed, /id="history-link"/);
  assert.not.match(failed, /href="\/events\?target_type=user"/, 'no link to every event of the target type');
  assert.match(failed, /<span class="muted" id="no-history">No record history: this event has no target id, so it is not about one record.<\/span>/);
  assert.match(failed, /id="tx-link"/, 'the other links stay');
  const withId = await (await c.get(`/events/${ids.user}`)).text();
  assert.match(withId, /<a class="button" id="history-link" href="\/events\?target_type=actor.case&amp;target_id=user">History of this record/);
  assert.not.match(withId, /id="no-history"/);
});

t.run();
