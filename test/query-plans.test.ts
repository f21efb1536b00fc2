// Plan properties of the console's queries that hold on any data set of this shape (no timings):
// a time window reads only the partitions it needs; the actor, record-history and action-prefix
// filters use their indexes; a narrow window in the past is collected and sorted, not found by
// walking the id index back from the newest event. The queries are exactly those that listEvents
// and countEvents send (recorded, then EXPLAINed with the same values).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFilter } from '../src/query/filter.ts';
import { countEvents, listEvents } from '../src/query/list.ts';
import { WALK_COST } from '../src/query/page-plan.ts';
import { planQuery } from '../src/query/plan.ts';
import type { Queryable } from '../src/db/queryable.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase; parents: Map<string, string> }>('query-plans');
const NOW = new Date('2025-03-20T12:00:00Z');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('query_plans');
  const db = ctx.db.pool;
  // Monthly partitions for January–March 2025 (the migration premade those around today).
  await db.query(`SELECT audit.ensure_partition(d) FROM generate_series(timestamptz '2025-01-01Z', '2025-03-01Z', interval '1 month') AS d`);
  // 90,000 events over 2025-01-01 .. 2025-03-20 in time order: 200 actors (actor k has ~k+1 shares,
  // actor-rare only a handful), 5,000 records of 4 tables, app events 4 %.
  await db.query(`
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, db_user, new_data)
    SELECT timestamptz '2025-01-01Z' + g * interval '75 seconds', 1000 + g / 3,
           CASE WHEN g % 25 = 0 THEN (ARRAY['auth.sign_in', 'auth.sign_out', 'export.create'])[1 + g % 3]
                ELSE (ARRAY['insert', 'update', 'update', 'delete'])[1 + g % 4] END,
           (ARRAY['public.contacts', 'public.lists', 'public.campaigns', 'public.domains'])[1 + g % 4], (g * 7919 % 5000)::text,
           'user', CASE WHEN g % 9973 = 0 THEN 'actor-rare' ELSE 'u' || floor(200 * sqrt((g * 2654435761 % 1000003) / 1000003.0))::int END,
           CASE WHEN g % 9973 = 0 THEN 'Rare.Person@example.com' ELSE 'person' || (g % 200) || '@example.com' END,
           ('10.0.' || (g % 50) || '.' || (g % 200 + 1))::inet, 'app', jsonb_build_object('n', g)
      FROM generate_series(1, 90000) AS g`);
  await db.query('ANALYZE audit.events');
  // Partition index → the index on audit.events it belongs to.
  const { rows } = await db.query(`
    SELECT c.relname AS child, p.relname AS parent
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relkind = 'I' AND p.relnamespace = 'audit'::regnamespace`);
  ctx.parents = new Map(rows.map((r) => [r.child, r.parent]));
});
t.after(async (ctx) => ctx.db?.drop());

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Scan Direction'?: string; Plans?: PlanNode[] }

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** The plans of the statements listEvents / countEvents send for these URL parameters. */
async function plans(db: TestDatabase, query: string): Promise<{ list: PlanNode[]; count: PlanNode[] }> {
  const sent: Array<{ text: string; values?: unknown[] }> = [];
  const recorder: Queryable = { query: (text, values) => { sent.push({ text, values }); return db.pool.query(text, values); } };
  const filter = parseFilter(new URLSearchParams(query));
  await listEvents(recorder, filter, { limit: 50, secret: 's', now: NOW });
  const listSql = sent.filter((s) => s.text.includes('ORDER BY')).at(-1)!;
  await countEvents(recorder, filter, NOW);
  const countSql = sent.at(-1)!;
  const explain = async (s: { text: string; values?: unknown[] }) =>
    nodes((await db.pool.query(`EXPLAIN (FORMAT JSON) ${s.text}`, s.values)).rows[0]['QUERY PLAN'][0].Plan);
  return { list: await explain(listSql), count: await explain(countSql) };
}

const scanned = (ns: PlanNode[]) => [...new Set(ns.map((n) => n['Relation Name']).filter(Boolean))].sort();
const indexesOf = (ctx: { parents: Map<string, string> }, ns: PlanNode[]) =>
  new Set(ns.map((n) => n['Index Name']).filter((x): x is string => !!x).map((i) => ctx.parents.get(i) ?? i));

t('a time window reads only the partitions it needs', async (ctx) => {
  const day = await plans(ctx.db, 'from=2025-02-10&to=2025-02-11');
  assert.equal(scanned(day.list), ['events_p20250201'], 'one day in February: the February partition only');
  assert.equal(scanned(day.count), ['events_p20250201']);

  const across = await plans(ctx.db, 'from=2025-01-31T12:00Z&to=2025-02-01T12:00Z');
  assert.equal(scanned(across.list), ['events_p20250101', 'events_p20250201'], 'a window across a boundary: both months');
  assert.equal(scanned(across.count), ['events_p20250101', 'events_p20250201']);

  // A relative window has no upper bound: the partitions wholly before it are pruned.
  const recent = await plans(ctx.db, 'window=7d&actor_type=user');
  for (const p of [recent.list, recent.count]) {
    const parts = scanned(p);
    assert.ok(parts.includes('events_p20250301'), parts.join());
    assert.not.ok(parts.includes('events_p20250101') || parts.includes('events_p20250201'), parts.join());
  }
});

t('the actor filter (id, or the start of a name ignoring case) uses the actor indexes', async (ctx) => {
  // The count always ORs the two index bitmaps. The page does too within a window; without one
  // the planner may instead walk the id index newest first when it expects the actor to be common
  // (its estimate for a value outside the most-common list), which is not a plan property.
  const bad: string[] = [];
  const both = (ns: PlanNode[]) => { const used = indexesOf(ctx, ns); return used.has('events_actor_idx') && used.has('events_actor_name_prefix_idx'); };
  for (const q of ['actor=actor-rare', 'actor=rare.person@example.com', 'actor=actor-rare&window=7d', 'actor=Rare.Person@example.com&window=24h']) {
    const p = await plans(ctx.db, q);
    if (!both(p.count)) bad.push(`${q} (count): ${[...indexesOf(ctx, p.count)].join()}`);
    if (q.includes('window') && !both(p.list)) bad.push(`${q} (page): ${[...indexesOf(ctx, p.list)].join()}`);
  }
  assert.equal(bad, []);
  const byId = await plans(ctx.db, 'actor_id=actor-rare');
  assert.ok(indexesOf(ctx, byId.list).has('events_actor_idx'));
  assert.ok(indexesOf(ctx, byId.count).has('events_actor_idx'));
});

t('record history (target type + id) uses the target index', async (ctx) => {
  for (const q of ['target_type=public.contacts&target_id=42', 'target_type=public.lists&target_id=4711&window=30d']) {
    const p = await plans(ctx.db, q);
    assert.ok(indexesOf(ctx, p.list).has('events_target_idx'), q);
    assert.ok(indexesOf(ctx, p.count).has('events_target_idx'), q);
  }
});

t('an action prefix (auth.*) uses the partial index on application events', async (ctx) => {
  const p = await plans(ctx.db, 'action=auth.*');
  assert.ok(indexesOf(ctx, p.count).has('events_app_action_idx'), [...indexesOf(ctx, p.count)].join());
});

t('a narrow window in the past is collected and sorted, not walked from the newest event', async (ctx) => {
  const idWalk = (ns: PlanNode[]) => ns.some((n) => n['Index Name'] && ctx.parents.get(n['Index Name']) === 'events_id_idx');
  const past = await plans(ctx.db, 'from=2025-03-02T10:00Z&to=2025-03-02T11:00Z');
  assert.not.ok(idWalk(past.list), 'no walk along the id index');
  assert.ok(past.list.some((n) => n['Node Type'] === 'Sort'));
  // A window that reaches the present is read newest first along the id index: no sort of the window.
  const recent = await plans(ctx.db, 'window=30d');
  assert.ok(idWalk(recent.list));
});

t('a past window is walked only when the gap to cross is short beside it (the walk weighs WALK_COST times)', async (ctx) => {
  // NOW is 2025-03-20 12:00 inside the March partition, so the walk would start at NOW.
  const narrow = async (q: string) => (await planQuery(ctx.db.pool, parseFilter(new URLSearchParams(q)), NOW)).page.kind === 'collect';
  const idWalk = (ns: PlanNode[]) => ns.some((n) => n['Index Name'] && ctx.parents.get(n['Index Name']) === 'events_id_idx');
  // 24 hours ending 6 hours ago: 24 h ≤ WALK_COST × 6 h, so the window is collected.
  const quarter = 'from=2025-03-19T06:00Z&to=2025-03-20T06:00Z';
  assert.ok(await narrow(quarter));
  assert.not.ok(idWalk((await plans(ctx.db, quarter)).list), 'collected, not walked');
  // 24 hours ending 2 hours ago: 24 h > WALK_COST × 2 h, so the short gap is walked.
  const close = 'from=2025-03-19T10:00Z&to=2025-03-20T10:00Z';
  assert.not.ok(await narrow(close));
  assert.is(WALK_COST, 6);
  // "to only" has no window to collect (it is split instead: below).
  assert.not.ok(await narrow('to=2025-02-10'));
});

t('"to only" far back: a slice before `to` collected, then the out-of-order rows by ANDing the BRINs on time and id', async (ctx) => {
  // On one connection, as a pool would lend it: the steering is SET LOCAL in the page's transaction.
  const client = await ctx.db.pool.connect();
  try {
    const sent: Array<{ text: string; values?: unknown[] }> = [];
    const recorder: Queryable = { query: (text, values) => { sent.push({ text, values }); return client.query(text, values); } };
    const filter = parseFilter(new URLSearchParams('to=2025-02-10'));
    assert.is((await planQuery(recorder, filter, NOW)).page.kind, 'split');
    await listEvents(recorder, filter, { limit: 50, secret: 's', now: NOW });
    const texts = sent.map((s) => s.text.replace(/SELECT id::text.*/s, 'page'));
    // 48 events an hour here: the first slice holds too few for 51, the doubled one enough.
    assert.equal(texts.slice(texts.indexOf('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')), ['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      'page', 'page', 'SET LOCAL enable_indexscan = off', 'SET LOCAL enable_seqscan = off', 'page', 'COMMIT']);
    const [slice, earlier] = sent.filter((s) => s.text.includes('ORDER BY')).slice(-2);
    const explain = async (s: { text: string; values?: unknown[] }, steer: boolean) => {
      await client.query('BEGIN');
      try {
        if (steer) await client.query('SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off');
        return nodes((await client.query(`EXPLAIN (FORMAT JSON) ${s.text}`, s.values)).rows[0]['QUERY PLAN'][0].Plan);
      } finally {
        await client.query('ROLLBACK');
      }
    };
    const slicePlan = await explain(slice, false);
    assert.ok(indexesOf(ctx, slicePlan).has('events_occurred_at_idx'), [...indexesOf(ctx, slicePlan)].join());
    assert.not.ok(indexesOf(ctx, slicePlan).has('events_id_idx'), 'the slice is not walked');
    const earlierPlan = await explain(earlier, true);
    // In `to`'s partition the two BRIN bitmaps are ANDed; in older ones (every id below b) a
    // bitmap of the id B-tree finds nothing at once. Never an ordered walk along the id index.
    const and = earlierPlan.find((n) => n['Node Type'] === 'BitmapAnd');
    assert.ok(and, 'a BitmapAnd');
    assert.equal([...indexesOf(ctx, and!.Plans!)].sort(), ['events_id_brin_idx', 'events_occurred_at_idx']);
    assert.not.ok(earlierPlan.some((n) => /^Index( Only)? Scan$/.test(n['Node Type'])), 'no index walk');
  } finally {
    client.release();
  }
});

t.run();
