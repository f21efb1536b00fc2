// The "actor" filter: an actor id exactly, or the start of a name / email ignoring case, with the
// typed text taken literally (LIKE's % _ \ are not wildcards), and through the name index
// (migration 0008) rather than a scan. Queries go through parseFilter / listEvents / countEvents,
// as the console, the API and the export send them.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFilter } from '../src/query/filter.ts';
import { countEvents, listEvents } from '../src/query/list.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { filterPlans, indexesIn, parentIndexes } from './helpers/plans.ts';

const t = suite<{ db: TestDatabase; parents: Map<string, string> }>('actor-prefix');
const NOW = new Date();

// [actor_id, actor_name, events]
const ACTORS: Array<[string, string, number]> = [
  ['7', 'aisha@example.com', 30],
  ['8', 'Aisha.Bello@example.org', 3],
  ['9', 'aishwarya@example.com', 2],
  ['42', 'Forty Two', 4],
  ['420', 'Four Twenty', 5],
  ['m1', 'a%b@example.com', 1],
  ['m2', 'axb@example.com', 1],
  ['m3', 'a_b@example.com', 1],
  ['m4', 'back\\slash@example.com', 1],
  ['m5', 'backslash@example.com', 1],
];

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('actor_prefix');
  const db = ctx.db.pool;
  // Enough events for the planner to prefer an index to a scan: 60,000 over the last four weeks,
  // 200 actors named person<k>@example.com, then the few actors the tests look for.
  await db.query(`
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user)
    SELECT now() - g * interval '40 seconds', 1000 + g, (ARRAY['insert', 'update', 'delete'])[1 + g % 3], 'public.contacts', (g % 5000)::text,
           'user', 'u' || (g % 200), 'person' || (g % 200) || '@example.com', 'app'
      FROM generate_series(1, 60000) AS g`);
  for (const [id, name, n] of ACTORS) {
    await db.query(`
      INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user)
      SELECT now() - g * interval '1 hour', 5000000 + g, 'update', 'public.contacts', '1', 'user', $1, $2, 'app' FROM generate_series(1, $3::int) AS g`,
    [id, name, n]);
  }
  await db.query('ANALYZE audit.events');
  ctx.parents = await parentIndexes(db);
});
t.after(async (ctx) => ctx.db?.drop());

/** The distinct actor names the list shows for `actor=<text>`, and the count it shows. */
async function matching(db: TestDatabase, actor: string): Promise<{ names: string[]; count: number }> {
  const filter = parseFilter(new URLSearchParams({ actor }));
  const page = await listEvents(db.pool, filter, { limit: 500, secret: 's', now: NOW });
  const { count } = await countEvents(db.pool, filter, NOW);
  return { names: [...new Set(page.events.map((e) => e.actor_name!))].sort(), count };
}

t('a name or email matches by its start, ignoring case', async ({ db }) => {
  assert.equal(await matching(db, 'aisha'), { names: ['Aisha.Bello@example.org', 'aisha@example.com'], count: 33 });
  assert.equal(await matching(db, 'AISH'), { names: ['Aisha.Bello@example.org', 'aisha@example.com', 'aishwarya@example.com'], count: 35 });
  assert.equal((await matching(db, 'isha')).count, 0, 'the start, not anywhere inside');
  assert.equal(await matching(db, 'four t'), { names: ['Four Twenty'], count: 5 }, 'spaces are part of the text');
});

t('the whole name or email still matches, and only it when nothing else starts with it', async ({ db }) => {
  assert.equal(await matching(db, 'aisha@example.com'), { names: ['aisha@example.com'], count: 30 });
  assert.equal(await matching(db, 'Aisha.Bello@EXAMPLE.org'), { names: ['Aisha.Bello@example.org'], count: 3 });
});

t('an actor id matches exactly, never by its start', async ({ db }) => {
  assert.equal(await matching(db, '42'), { names: ['Forty Two'], count: 4 });
  assert.equal(await matching(db, '420'), { names: ['Four Twenty'], count: 5 });
  assert.equal((await matching(db, '4')).count, 0, 'no id is 4 and no name starts with 4');
  assert.equal((await matching(db, 'u1')).count, 300, 'u1 exactly, not u10…u199');
});

t('% _ and \\ in the typed text are literal characters, not wildcards', async ({ db }) => {
  assert.equal(await matching(db, 'a%'), { names: ['a%b@example.com'], count: 1 }, '% is not "anything"');
  assert.equal(await matching(db, 'a_b'), { names: ['a_b@example.com'], count: 1 }, '_ is not "any one character" (axb@ would match)');
  assert.equal(await matching(db, 'back\\s'), { names: ['back\\slash@example.com'], count: 1 }, '\\ is not an escape (backslash@ would match)');
  assert.equal((await matching(db, '%')).count, 0, 'no name starts with %');
  assert.equal((await matching(db, '_')).count, 0);
  // Positive control: without escaping, each of these would match more.
  const raw = await db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE lower(actor_name) LIKE 'a_b%' OR lower(actor_name) LIKE 'back\\s%'`);
  assert.is(raw.rows[0].n, 4, 'unescaped patterns would have matched axb@ and backslash@ too');
});

t('the name side reads events_actor_name_prefix_idx (ORed with the id index), page and count', async ({ db, parents }) => {
  const bad: string[] = [];
  for (const q of ['actor=aisha', 'actor=Aisha.B', 'actor=a_b', 'actor=aisha@example.com', 'actor=aisha&window=7d', 'actor=FOUR&window=24h']) {
    const p = await filterPlans(db.pool, q, NOW);
    const check = (what: string, used: Set<string>) => {
      if (!used.has('events_actor_name_prefix_idx') || !used.has('events_actor_idx')) bad.push(`${q} (${what}): ${[...used].join()}`);
    };
    check('count', indexesIn(parents, p.count));
    // Without a window the page may walk the id index newest first instead (the planner's call
    // for an actor it expects to be common); with one it ORs the two bitmaps.
    if (q.includes('window')) check('page', indexesIn(parents, p.list));
  }
  assert.equal(bad, []);
  const used = indexesIn(parents, (await filterPlans(db.pool, 'actor=aisha', NOW)).count);
  assert.not.ok(used.has('events_actor_name_idx'), 'the old equality-only index is gone');
});

t.run();
