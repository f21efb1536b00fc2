// Pages of windows that end in the past and reach far back ("to only"), read in two steps
// (src/query/list.ts, splitPage): they must be exactly the pages of the plain `ORDER BY id DESC`
// query — with events recorded out of time order, across the boundary between the two steps and
// the slice's widening, and with cursors taken before new events arrive.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { parseFilter, type EventFilter } from '../src/query/filter.ts';
import { listEvents } from '../src/query/list.ts';
import { planQuery } from '../src/query/plan.ts';
import { wherePredicate } from '../src/query/predicate.ts';
import type { Queryable } from '../src/db/queryable.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('query-split');
const NOW = new Date('2025-03-20T12:00:00Z');
const secret = 'split-secret';
const p = (q: string) => parseFilter(new URLSearchParams(q));

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('query_split');
  const db = ctx.db.pool;
  await db.query(`SELECT audit.ensure_partition(d) FROM generate_series(timestamptz '2025-02-01Z', '2025-03-01Z', interval '1 month') AS d`);
  // One event every 2 minutes from 2025-03-01 to NOW (30 an hour), in id order — except every 97th,
  // which carries a time 3 hours earlier than its neighbours (a long statement's rows). Actor a7
  // has one event in 7 (a slice of one hour holds too few of them for a page of 50).
  await db.query(`
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user)
    SELECT timestamptz '2025-03-01Z' + g * interval '2 minutes' - CASE WHEN g % 97 = 0 THEN interval '3 hours' ELSE interval '0' END,
           g, 'update', 'public.contacts', (g % 500)::text, 'user', CASE WHEN g % 7 = 0 THEN 'a7' ELSE 'u' || (g % 5) END, 'x', 'app'
      FROM generate_series(1, 14040) AS g ORDER BY g`);
  // Written last, so with the highest ids: times far back (last month, 90 minutes and 2 days
  // before 2025-03-10 12:00), just before and exactly at that `to`.
  await db.query(`
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user)
    SELECT t::timestamptz, 1, 'update', 'public.contacts', 'late', 'user', 'a7', 'x', 'app'
      FROM unnest(ARRAY['2025-02-20T08:00Z', '2025-03-10T10:30Z', '2025-03-08T12:00Z', '2025-03-10T11:59:59Z', '2025-03-10T12:00Z']) AS t`);
  await db.query('ANALYZE audit.events');
});
t.after(async (ctx) => ctx.db?.drop());

/** The plain query's ids for the filter: newest first, no plan choice involved. */
async function expected(db: pg.Pool, filter: EventFilter): Promise<number[]> {
  const { rows } = await db.query(`SELECT id FROM audit.events WHERE ${wherePredicate(filter, NOW).toLiteral()} ORDER BY id DESC`);
  return rows.map((r) => Number(r.id));
}

async function pages(db: Queryable, filter: EventFilter, limit: number, max = Infinity): Promise<number[][]> {
  const out: number[][] = [];
  let cursor: string | undefined;
  do {
    const page = await listEvents(db, filter, { limit, cursor, secret, now: NOW });
    out.push(page.events.map((e) => e.id));
    cursor = page.next_cursor ?? undefined;
  } while (cursor && out.length < max);
  return out;
}

const SHAPES = [
  'to=2025-03-10T12:00Z',                        // to only
  'to=2025-03-10',                               // a date: the whole day included
  'from=2025-03-01&to=2025-03-19T12:00Z',        // 18.5 days ending a day before NOW: too wide to collect
  'from=2025-02-15&to=2025-03-19T12:00Z',         // across two partitions
  'to=2025-03-10T12:00Z&actor=a7',               // few matches per slice: widened, then walked
];

t('windows ending in the past and reaching far back are read in two steps', async ({ db }) => {
  for (const q of SHAPES) assert.is((await planQuery(db.pool, p(q), NOW)).page.kind, 'split', q);
});

t('first pages equal the plain query, including events recorded out of time order', async ({ db }) => {
  for (const q of SHAPES) {
    const want = await expected(db.pool, p(q));
    for (const limit of [1, 7, 50, 500]) {
      const { events, next_cursor } = await listEvents(db.pool, p(q), { limit, secret, now: NOW });
      assert.equal(events.map((e) => e.id), want.slice(0, limit), `${q} limit ${limit}`);
      assert.is(next_cursor !== null, want.length > limit);
    }
  }
  // The late events are on the to-only page: the one from last month, the one from 90 minutes
  // before `to` (older than the first slice), the one just before `to`; not the one at `to`.
  const first = (await listEvents(db.pool, p('to=2025-03-10T12:00Z'), { limit: 3, secret, now: NOW })).events;
  assert.equal(first.map((e) => e.occurred_at), ['2025-03-10T11:59:59.000000Z', '2025-03-08T12:00:00.000000Z', '2025-03-10T10:30:00.000000Z']);
});

t('paging through: every event once, in id order, across the slice boundary and its widening', async ({ db }) => {
  for (const q of SHAPES) {
    const want = await expected(db.pool, p(q));
    // 30 events an hour: pages of 7 pass the first hour's slice after 4 pages, so later pages
    // widen it; the full pass at 500 reaches the start of the data.
    const small = (await pages(db.pool, p(q), 7, 40)).flat();
    assert.equal(small, want.slice(0, small.length), `${q} limit 7`);
    const all = (await pages(db.pool, p(q), 500)).flat();
    assert.equal(all, want, `${q} limit 500`);
  }
});

t('a single connection works as well as a pool, and is left outside a transaction', async ({ db }) => {
  const client = await db.pool.connect();
  try {
    const q = p('to=2025-03-10T12:00Z');
    assert.equal((await pages(client, q, 50, 5)).flat(), (await expected(db.pool, q)).slice(0, 250));
    const { rows } = await client.query(`SELECT current_setting('enable_indexscan') AS i, current_setting('transaction_isolation') AS iso`);
    assert.equal(rows[0], { i: 'on', iso: 'read committed' });
  } finally {
    client.release();
  }
});

t('cursors: events arriving between pages, even with old times, neither shift nor repeat later pages', async ({ db }) => {
  const q = p('to=2025-03-10T12:00Z');
  const before = await expected(db.pool, q);
  const seen: number[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 12; i++) {
    const page = await listEvents(db.pool, q, { limit: 20, cursor, secret, now: NOW });
    seen.push(...page.events.map((e) => e.id));
    cursor = page.next_cursor!;
    // A new event inside the window (an old time, the highest id) after each page.
    await db.pool.query(`
      INSERT INTO audit.events (occurred_at, tx_id, action, target_type, actor_type, db_user)
      VALUES (timestamptz '2025-03-10T09:00Z' - $1 * interval '1 minute', 2, 'insert', 't', 'user', 'x')`, [i]);
  }
  assert.equal(seen, before.slice(0, 240));
});

t.run();
