// Labels and verbs on the read side: the `verb` filter (repeatable and comma lists, 400 with the
// reason), free text `q` over labels (the same rows with the optional search index as without,
// and an index built before labels is not used), one history for a table and the application
// entity it stands for, and both fields in the API's JSON, CSV and JSON Lines.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { enableAudit } from '../src/audit/enable.ts';
import { buildCopySql } from '../src/export/copy-sql.ts';
import { parseVerbRule } from '../src/generator/verbs.ts';
import { disableSearchIndex, enableSearchIndex, searchIndexStatus } from '../src/maintenance/search-index.ts';
import { filterToParams, FilterError, parseFilter, type EventFilter } from '../src/query/filter.ts';
import { countEvents, listEvents } from '../src/query/list.ts';
import { searchIndexPresent } from '../src/query/search-index.ts';
import { auditedTargets } from '../src/query/targets.ts';
import { planQuery } from '../src/query/plan.ts';
import { parseCsv } from './helpers/csv.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase; client: pg.Client }>('labels-query');
const secret = 's';

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('labels_query');
  ctx.client = new pg.Client({ connectionString: ctx.db.url });
  await ctx.client.connect();
  const db = ctx.db.pool;
  await db.query(`CREATE TABLE contacts (id int PRIMARY KEY, name text, status text)`);
  await db.query(`CREATE TABLE campaigns (id int PRIMARY KEY, subject text, status text)`);
  await enableAudit(db, { schema: 'public', table: 'contacts' }, { label: `'Contact: ' || name`, typeName: 'Contact', verbs: [parseVerbRule('block:status=blocked')] });
  await enableAudit(db, { schema: 'public', table: 'campaigns' }, {
    label: `'Broadcast: ' || subject`, typeName: 'Broadcast', entity: 'campaign',
    verbs: [parseVerbRule('send:status=sent'), parseVerbRule('pause:status=paused')],
  });
  await db.query(`INSERT INTO contacts VALUES (1, 'Maya Okafor', 'active'), (2, 'Ben Ito', 'active')`);
  await db.query(`UPDATE contacts SET status = 'blocked' WHERE id = 2`);
  await db.query(`DELETE FROM contacts WHERE id = 1`);
  await db.query(`INSERT INTO campaigns VALUES (203, 'May Newsletter #38', 'draft'), (204, 'June', 'draft')`);
  await db.query(`UPDATE campaigns SET status = 'sent' WHERE id = 203`);
  await db.query(`UPDATE campaigns SET status = 'paused' WHERE id = 204`);
  await db.query(`SELECT audit.log_event('broadcast.send', 'campaign', '203', '{"recipients": 12}', 'Broadcast: May Newsletter #38')`);
  await db.query(`SELECT audit.log_event('broadcast.send', 'campaign', '999', NULL)`);
});
t.after(async (ctx) => {
  await ctx.client?.end();
  await ctx.db?.drop();
});

const summary = async (db: pg.Pool, query: string) =>
  (await listEvents(db, parseFilter(new URLSearchParams(query)), { secret, limit: 100 })).events
    .map((e) => `${e.target_type}#${e.target_id} ${e.verb ?? e.action}`).reverse();

t('verb= is parsed once: repeatable and comma lists, sorted and deduplicated, canonical in the URL; bad input says why', () => {
  const f = parseFilter(new URLSearchParams('verb=send,pause&verb=send&verb='));
  assert.equal(f.verb, ['pause', 'send']);
  assert.is(filterToParams(f).toString(), 'verb=pause&verb=send');
  for (const [query, reason] of [['verb=Send', /verb: "Send" is not a verb/], ['verb=send;drop', /is not a verb/], [`verb=${'a,'.repeat(21)}`, /at most 20 verbs/]] as const) {
    assert.throws(() => parseFilter(new URLSearchParams(query)), (e: Error) => e instanceof FilterError && reason.test(e.message), query);
  }
});

t('the verb filter finds updates by verb, several at once; the action filter still sees them as updates', async ({ db }) => {
  assert.equal(await summary(db.pool, 'verb=send'), ['public.campaigns#203 send']);
  assert.equal(await summary(db.pool, 'verb=send,block'), ['public.contacts#2 block', 'public.campaigns#203 send']);
  assert.equal(await summary(db.pool, 'verb=nothing'), []);
  assert.equal(await summary(db.pool, 'action=update&target_type=public.campaigns'), ['public.campaigns#203 send', 'public.campaigns#204 pause']);
  assert.is((await countEvents(db.pool, { verb: ['pause', 'send'] })).count, 2);
});

t('free text finds labels, also of a deleted row ("Maya Okafor vanished")', async ({ db }) => {
  assert.equal(await summary(db.pool, 'q=maya okafor'), ['public.contacts#1 insert', 'public.contacts#1 delete']);
  assert.equal(await summary(db.pool, 'q=NEWSLETTER #38'), ['public.campaigns#203 insert', 'public.campaigns#203 send', 'campaign#203 broadcast.send']);
});

t('in_data=1 widens q to the values inside the row images; off by default; only 1 is accepted', async (ctx) => {
  const db = ctx.db.pool;
  await db.query(`CREATE TABLE notes (id int PRIMARY KEY, body text)`);
  await enableAudit(db, { schema: 'public', table: 'notes' }, {});
  await db.query(`INSERT INTO notes VALUES (1, 'call Maya Okafor back')`);
  await db.query(`DELETE FROM notes`);
  assert.equal(await summary(db, 'q=okafor&target_type=public.notes'), [], 'off by default: row values are not searched');
  assert.equal(await summary(db, 'q=okafor&in_data=1&target_type=public.notes'), ['public.notes#1 insert', 'public.notes#1 delete']);
  assert.equal(await summary(db, 'q=body&in_data=1&target_type=public.notes'), [], 'values, not column names');
  assert.is(filterToParams(parseFilter(new URLSearchParams('q=x&in_data=1'))).toString(), 'q=x&in_data=1');
  assert.equal(parseFilter(new URLSearchParams('in_data=1')), {}, 'without q there is nothing to widen');
  assert.throws(() => parseFilter(new URLSearchParams('q=x&in_data=yes')), (e: Error) => e instanceof FilterError && /in_data: must be 1/.test(e.message));
});

t('one history: a table with an entity and the entity type each include the other', async ({ db }) => {
  const targets = await auditedTargets(db.pool);
  assert.equal(targets.sameAs('public.campaigns'), ['campaign']);
  assert.equal(targets.sameAs('campaign'), ['public.campaigns']);
  assert.equal(targets.sameAs('public.contacts'), [], 'no entity declared: its own history only');
  const history = ['public.campaigns#203 insert', 'public.campaigns#203 send', 'campaign#203 broadcast.send'];
  assert.equal(await summary(db.pool, 'target_type=public.campaigns&target_id=203'), history);
  assert.equal(await summary(db.pool, 'target_type=campaign&target_id=203'), history);
  assert.equal(await summary(db.pool, 'target_type=public.contacts&target_id=2'), ['public.contacts#2 insert', 'public.contacts#2 block'], 'positive control: unrelated types stay apart');
  const { info } = targets;
  assert.equal(info.get('public.campaigns'), { typeName: 'Broadcast', entity: 'campaign', verbs: ['send', 'pause'] });
  assert.equal(info.get('campaign'), { typeName: 'Broadcast', entity: 'campaign', verbs: [] });
  assert.equal(info.get('public.contacts'), { typeName: 'Contact', entity: null, verbs: ['block'] });
  // The export reads the same history.
  const filter: EventFilter = { target_type: 'campaign', target_id: '203' };
  const copy = buildCopySql(await planQuery(db.pool, filter), { format: 'jsonl' }).replace(/^COPY \((.*)\) TO STDOUT.*$/s, '$1');
  assert.is((await db.pool.query(`SELECT count(*)::int AS n FROM (${copy}) AS x`)).rows[0].n, 3);
});

t('target_label and verb are at the end of the JSON, CSV and JSON Lines records', async ({ db }) => {
  const filter: EventFilter = { verb: ['send'] };
  const csvSql = buildCopySql(filter, { format: 'csv', raw: true }).replace(/^COPY \((.*)\) TO STDOUT.*$/s, '$1');
  const { rows } = await db.pool.query(csvSql);
  assert.equal(Object.keys(rows[0]).slice(-3), ['actor_display', 'target_label', 'verb']);
  assert.equal([rows[0].target_label, rows[0].verb], ['Broadcast: May Newsletter #38', 'send']);
  const jsonSql = buildCopySql(filter, { format: 'jsonl' }).replace(/^COPY \((.*)\) TO STDOUT.*$/s, '$1');
  const line = JSON.parse((await db.pool.query({ text: jsonSql, rowMode: 'array' })).rows[0][0]);
  assert.equal(Object.keys(line).slice(-2), ['target_label', 'verb']);
  assert.equal([line.target_label, line.verb], ['Broadcast: May Newsletter #38', 'send']);
  // CSV: a label that looks like a formula is neutralised like every free-text cell.
  await db.pool.query(`SELECT audit.log_event('x.y', 'x', '1', NULL, '=HYPERLINK("http://evil")')`);
  const guarded = buildCopySql({ action: ['x.y'] }, { format: 'csv' }).replace(/^COPY \((.*)\) TO STDOUT.*$/s, '$1');
  assert.is((await db.pool.query(guarded)).rows[0].target_label, `'=HYPERLINK("http://evil")`);
  assert.ok(parseCsv, 'helper available');
});

t('the search index covers labels: the same rows with it as without; an index of v1 is outdated and not used', async ({ db, client }) => {
  const queries = ['q=maya', 'q=okafor&window=30d', 'q=newsletter', 'q=broadcast:', 'q=contact: ben', 'q=zzz-none'];
  const before = new Map<string, string[]>();
  for (const q of queries) before.set(q, await summary(db.pool, q));
  assert.is(await searchIndexPresent(db.pool), false);

  // An index as migration 0006's function built it (five fields, no label).
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await client.query(`SET ROLE pgtrail_owner`);
  await client.query(`CREATE INDEX events_search_idx ON audit.events USING gin (audit.search_text(actor_name, actor_id, target_id, target_type, action) gin_trgm_ops)`);
  await client.query(`RESET ROLE`);
  assert.is((await searchIndexStatus(client)).state, 'outdated');
  assert.is(await searchIndexPresent(db.pool), false, 'an index without labels is not used');
  for (const q of queries) assert.equal(await summary(db.pool, q), before.get(q), `${q} with an outdated index`);

  const status = await enableSearchIndex(client);
  assert.is(status.state, 'on', 'enable rebuilt it');
  assert.is(await searchIndexPresent(db.pool), true);
  const { rows } = await db.pool.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'events_search_idx'`);
  assert.match(rows[0].indexdef, /target_label/);
  assert.ok((await planQuery(db.pool, { q: 'maya' })).usesSearchIndex, 'queries use it');
  for (const q of queries) assert.equal(await summary(db.pool, q), before.get(q), `${q} with the index`);
  assert.ok(await disableSearchIndex(client));
});

t.run();
