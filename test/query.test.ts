// The shared filter parser, predicate builder, keyset pages, cursors and capped counts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FilterError, filterToParams, parseFilter, type EventFilter } from '../src/query/filter.ts';
import { countEvents, getEvent, listEvents } from '../src/query/list.ts';
import { wherePredicate } from '../src/query/predicate.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('query');
const secret = 'test-secret';
const p = (q: string) => parseFilter(new URLSearchParams(q));

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('query');
  // 300 events across actors, actions, targets, IPs and three days, written as the owner would.
  await ctx.db.pool.query(`
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, db_user)
    SELECT timestamptz '2026-11-20 00:00:00Z' + (g * interval '15 minutes'), g,
           (ARRAY['insert', 'update', 'delete', 'auth.sign_in', 'auth.sign_out'])[1 + g % 5],
           CASE WHEN g % 5 >= 3 THEN 'user' ELSE 'public.contacts' END, (g % 10)::text,
           CASE WHEN g % 2 = 0 THEN 'user' ELSE 'api_token' END, 'actor' || (g % 3), 'Person ' || (g % 3) || ' 100%_real',
           ('10.0.' || (g % 4) || '.' || (g % 250 + 1))::inet, 'app'
      FROM generate_series(1, 300) g`);
});
t.after(async (ctx) => ctx.db?.drop());

t('bad input: each gives a FilterError naming the field', () => {
  const bad: Array<[string, RegExp]> = [
    ['from=yesterday', /^from: "yesterday" is not a date or time/],
    ['from=2026-02-30', /^from: "2026-02-30" is not a calendar date/],
    ['from=0000-01-01', /^from: "0000-01-01" is not a date or time/], // PostgreSQL has no year 0: never a 22008
    // The as-of view's strictness, one parser for both (src/query/time.ts): JavaScript's Date would take these.
    ['to=2026-11-24T24:00:00Z', /^to: "2026-11-24T24:00:00Z" is not a valid time of day/],
    ['from=2026-11-24T09:30:00%2B16:00', /^from: "\+16:00" is not a time zone offset/],
    // An offset that carries the instant out of PostgreSQL's years: a 400, not a 22008 from the server.
    ['from=0001-01-01T00:00%2B01:00', /^from: "0001-01-01T00:00\+01:00" is outside the years 0001 to 9999 in UTC/],
    ['to=9999-12-31T23:30-01:00', /^to: "9999-12-31T23:30-01:00" is outside the years 0001 to 9999 in UTC/],
    ['from=2026-11-24&to=2026-11-23', /^from: must be before to/],
    ['ip=10.0.0.999', /^ip: .* is not an IP address or CIDR block/],
    ['ip=10.0.0.0/33', /^ip: prefix length must be 0–32/],
    ['actor_type=robot', /^actor_type: must be one of/],
    ['action=auth.*.x', /^action: "auth\.\*\.x" is not an action/],
    ["action=x'; drop table", /^action: .* is not an action/],
    ['window=forever', /^window: .* is not a window/],
    ['window=24h&from=2026-11-01', /^window: use either/],
    [`q=${'x'.repeat(10_000)}`, /^q: is longer than 200 bytes/],
    ['actor=a%00b', /^actor: must not contain NUL bytes/],
    ['actor_id=a&actor_id=b', /^actor_id: may be given only once/],
    ['tx_id=12a', /^tx_id: "12a" is not a transaction id/],
    ['tx_id=-1', /^tx_id: .* is not a transaction id/],
    [`tx_id=${'9'.repeat(19)}`, /^tx_id: .* is not a transaction id/],
  ];
  for (const [query, message] of bad) {
    assert.throws(() => p(query), (e: Error) => e instanceof FilterError && message.test(e.message), query);
  }
});

t('empty form fields are absent; date-only "to" includes that whole day; zone-less times are UTC', () => {
  assert.equal(p('actor=&action=&from=&to=&q='), {});
  const f = p('from=2026-11-20&to=2026-11-21&action=auth.*,insert');
  assert.is(f.from!.toISOString(), '2026-11-20T00:00:00.000Z');
  assert.is(f.to!.toISOString(), '2026-11-22T00:00:00.000Z');
  assert.equal(f.action, ['auth.*', 'insert']);
  assert.is(p('from=2026-11-20T10:30').from!.toISOString(), '2026-11-20T10:30:00.000Z');
  assert.is(p('from=2026-11-20T10:30:00+02:00').from!.toISOString(), '2026-11-20T08:30:00.000Z');
  assert.equal(p(filterToParams(f).toString()), f, 'round-trips through URL parameters');
});

async function count(db: TestDatabase, filter: EventFilter): Promise<number> {
  return (await countEvents(db.pool, filter)).count;
}

t('each filter narrows as its SQL meaning says', async ({ db }) => {
  const total = await count(db, {});
  assert.is(total, 300);
  assert.is(await count(db, p('action=auth.*')), 120);
  assert.is(await count(db, p('action=insert&action=delete')), 120);
  assert.is(await count(db, p('actor_type=user')), 150);
  assert.is(await count(db, p('actor=actor1')), 100);
  assert.is(await count(db, p('actor=PERSON 1 100%_REAL')), 100, 'actor matches the name ignoring case');
  assert.is(await count(db, p('target_type=public.contacts&target_id=2')), 30);
  assert.is(await count(db, p('ip=10.0.1.0/24')), 75);
  assert.is(await count(db, p('ip=10.0.2.3')), 1);
  // from inclusive, to exclusive: 2026-11-20 00:15 … 2026-11-22 23:45 at 15-minute steps.
  assert.is(await count(db, p('from=2026-11-20T01:00:00Z&to=2026-11-20T02:00:00Z')), 4);
  assert.is(await count(db, p('to=2026-11-20')), 95, 'the whole of 20 November');
  assert.is(await count(db, p('q=100%_real')), 300, 'free text matches % and _ literally');
  assert.is(await count(db, p('q=100%25x')), 0);
  assert.is(await count(db, p('action=auth.*&actor_type=user&ip=10.0.0.0/16')), 60, 'filters combine');
  assert.is(await count(db, p('tx_id=7')), 1, 'tx_id: one transaction');
  assert.is(await count(db, p('tx_id=007&action=insert')), 0, 'leading zeros, combined');
});

t('parameters and literals give the same rows for hostile values', async ({ db }) => {
  const hostile = ["o'brien", 'back\\slash', '$$; drop table x; $$', "E'\\x41'", 'unicode ✓ ü', '"; --', '%_'];
  for (const value of hostile) {
    for (const key of ['actor', 'target_id', 'q', 'target_type'] as const) {
      const filter: EventFilter = { [key]: value };
      const where = wherePredicate(filter);
      const asParams = where.toQuery();
      const a = (await db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE ${asParams.text}`, asParams.values)).rows[0].n;
      const b = (await db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE ${where.toLiteral()}`)).rows[0].n;
      assert.is(b, a, `${key}=${value}`);
    }
  }
});

t('keyset pages: newest first, no duplicates or gaps, stable when events arrive meanwhile', async ({ db }) => {
  const filter = p('actor_type=user');
  const seen: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await listEvents(db.pool, filter, { limit: 40, cursor, secret });
    seen.push(...page.events.map((e) => e.id));
    cursor = page.next_cursor ?? undefined;
    if (pages++ === 0) {
      // New events arrive after the first page: they must not shift later pages.
      await db.pool.query(`INSERT INTO audit.events (tx_id, action, target_type, actor_type, db_user) VALUES (1, 'insert', 't', 'user', 'x')`);
    }
  } while (cursor);
  assert.is(seen.length, 150);
  assert.is(new Set(seen).size, 150);
  assert.equal(seen, [...seen].sort((a, b) => b - a));
  assert.is(pages, 4);
});

t('event JSON has the DESIGN field names, UTC times with Z, and round-trips by id', async ({ db }) => {
  const { events } = await listEvents(db.pool, {}, { limit: 1, secret });
  const e = events[0];
  assert.equal(Object.keys(e), ['id', 'occurred_at', 'tx_id', 'action', 'target_type', 'target_id', 'actor_type', 'actor_id',
    'actor_name', 'ip', 'user_agent', 'request_id', 'db_user', 'app_name', 'old_data', 'new_data', 'changed_fields', 'metadata',
    'actor_display', 'target_label', 'verb']);
  assert.match(e.occurred_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  assert.equal(await getEvent(db.pool, String(e.id)), e);
  assert.is(await getEvent(db.pool, '99999999'), null);
  assert.is(await getEvent(db.pool, '1 OR 1=1'), null);
});

t('cursors: forged, from another secret, or replayed with other filters are refused', async ({ db }) => {
  const page = await listEvents(db.pool, p('actor_type=user'), { limit: 10, secret });
  const cursor = page.next_cursor!;
  const refusals: Array<[EventFilter, string, string, RegExp]> = [
    [p('actor_type=user'), `${cursor.slice(0, -2)}xx`, secret, /not valid/],
    [p('actor_type=user'), cursor, 'another-secret', /not valid/],
    [p('actor_type=api_token'), cursor, secret, /belongs to other filters/],
    [p('actor_type=user'), 'garbage', secret, /malformed/],
  ];
  for (const [filter, c, s, message] of refusals) {
    await listEvents(db.pool, filter, { cursor: c, secret: s }).then(
      () => assert.unreachable('cursor accepted'),
      (e) => assert.ok(e instanceof FilterError && message.test(e.message), e.message),
    );
  }
});

t('counts are exact up to the cap and capped beyond it', async ({ db }) => {
  await db.pool.query(`INSERT INTO audit.events (tx_id, action, target_type, actor_type, db_user)
                       SELECT 1, 'insert', 'bulk', 'system', 'x' FROM generate_series(1, 10050)`);
  assert.equal(await countEvents(db.pool, p('target_type=bulk')), { count: 10_000, capped: true });
  assert.equal(await countEvents(db.pool, p('target_type=public.contacts&target_id=2')), { count: 30, capped: false });
});

t.run();
