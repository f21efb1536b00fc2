// A record as it was (src/query/record): the row reconstructed from real captured events as of a
// time or an event, across key changes both ways, several updates in one transaction, columns
// added and dropped since, excluded / redacted / oversized values, and the history said to be
// incomplete when it is (predates auditing, retention, TRUNCATE, creation not recorded).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { disableAudit, enableAudit } from '../src/audit/enable.ts';
import { UserError } from '../src/db/errors.ts';
import { runMaintenance } from '../src/maintenance/run.ts';
import { setRetention } from '../src/maintenance/retention.ts';
import { HISTORY_COUNT_CAP, DIFF_EVENTS, NoHistoryError, recordAsOf, TIMELINE_SIDE, type AsOfResult } from '../src/query/record/as-of.ts';
import { parseAsOfParams } from '../src/query/record/request.ts';
import { parseAsOfTime } from '../src/query/record/time.ts';
import { ExactNumber } from '../src/query/exact-json.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('as-of');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('as_of');
});
t.after(async (ctx) => ctx.db?.drop());

interface Ev { id: string; at: string; action: string; target_id: string | null }

/** The table's events in recording order, times as the API writes them (microseconds). */
async function events(db: TestDatabase, type: string): Promise<Ev[]> {
  const { rows } = await db.pool.query(
    `SELECT id::text, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, action, target_id
       FROM audit.events AS e WHERE target_type = $1 ORDER BY e.id`, [type]);
  return rows;
}

async function asOf(db: TestDatabase, params: Record<string, string>, now = new Date()): Promise<AsOfResult> {
  return recordAsOf(db.pool, parseAsOfParams(new URLSearchParams(params)), now);
}

async function table(db: TestDatabase, name: string, ddl: string, options = {}) {
  await db.pool.query(`CREATE TABLE ${name} (${ddl})`);
  await enableAudit(db.pool, { schema: 'public', table: name }, options);
}

async function rejected(work: Promise<unknown>, kind: new (...a: any[]) => Error, pattern: RegExp) {
  try {
    await work;
  } catch (error) {
    assert.instance(error, kind);
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected ${pattern}`);
}

t('insert, updates and delete: the row as of each point, before its insert it does not exist, after the delete neither', async ({ db }) => {
  await table(db, 'items', 'id int PRIMARY KEY, name text, qty int, note text');
  await db.pool.query(`INSERT INTO items VALUES (1, 'bolt', 10, 'steel'), (2, 'nut', 5, 'other row')`);
  await db.pool.query(`UPDATE items SET name = 'hex bolt' WHERE id = 1`);
  await db.pool.query(`UPDATE items SET qty = 0 WHERE id = 2`);
  await db.pool.query(`DELETE FROM items WHERE id = 1`);
  const [ins, , upd, , del] = await events(db, 'public.items');

  const before = await asOf(db, { target_type: 'public.items', target_id: '1', at: '2000-01-01' });
  assert.is(before.state.exists, false, 'not yet created: its first event is the insert');
  assert.is(before.state.record, null);
  assert.ok(before.complete);

  const inserted = await asOf(db, { target_type: 'public.items', target_id: '1', at: ins.at });
  assert.is(inserted.state.exists, true, 'an event at exactly `at` (to the microsecond) is included');
  assert.equal(inserted.state.record, { id: 1, name: 'bolt', qty: 10, note: 'steel' });
  assert.is(inserted.state.basis!.id, ins.id);

  const updated = await asOf(db, { target_type: 'public.items', target_id: '1', at: upd.at });
  assert.equal(updated.state.record, { id: 1, name: 'hex bolt', qty: 10, note: 'steel' }, 'columns the update left alone are kept');

  const gone = await asOf(db, { target_type: 'public.items', target_id: '1' });
  assert.is(gone.state.exists, false);
  assert.is(gone.state.removed_by!.id, del.id);
  assert.equal(gone.state.last_record, { id: 1, name: 'hex bolt', qty: 10, note: 'steel' });
  assert.ok(gone.complete, gone.incomplete.map((i) => i.message).join('; '));
  assert.is(gone.first_event!.id, ins.id);
  assert.equal(gone.history, { count: 3, capped: false }, "row 2's events are not this record's");
  assert.equal(gone.timeline.events.map((e) => e.id), [ins.id, upd.id, del.id]);
  assert.equal(gone.events_used, [del.id]);
});

t('several updates in one transaction: as of each event in it, in id order; as of its time, the last', async ({ db }) => {
  await table(db, 'counters', 'id int PRIMARY KEY, n int, label text');
  await db.pool.query(`INSERT INTO counters VALUES (7, 0, 'a')`);
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`UPDATE counters SET n = 1 WHERE id = 7`);
    await client.query(`UPDATE counters SET n = 2, label = 'b' WHERE id = 7`);
    await client.query(`UPDATE counters SET n = 3 WHERE id = 7`);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  const [, u1, u2, u3] = await events(db, 'public.counters');
  for (const [e, n, label] of [[u1, 1, 'a'], [u2, 2, 'b'], [u3, 3, 'b']] as const) {
    const r = await asOf(db, { target_type: 'public.counters', target_id: '7', event: e.id, at: e.at });
    assert.equal(r.state.record, { id: 7, n, label }, `just after event ${e.id}`);
    assert.is(r.state.after_event, e.id);
  }
  const diff = (await asOf(db, { target_type: 'public.counters', target_id: '7', event: u1.id, compare: u3.at })).diff!;
  assert.equal(diff.fields.find((f) => f.field === 'n'), { field: 'n', before: 1, after: 3, changed: true, events: [u2.id, u3.id] });
  assert.equal(diff.fields.find((f) => f.field === 'label'), { field: 'label', before: 'a', after: 'b', changed: true, events: [u2.id] });
  assert.equal(diff.fields.find((f) => f.field === 'id')!.changed, false);
});

t('a key change is followed both ways; a new row that takes the old key later is another record', async ({ db }) => {
  await table(db, 'accounts', 'id int PRIMARY KEY, owner text');
  await db.pool.query(`INSERT INTO accounts VALUES (1, 'ann')`);
  await db.pool.query(`UPDATE accounts SET owner = 'anne' WHERE id = 1`);
  await db.pool.query(`UPDATE accounts SET id = 2 WHERE id = 1`);
  await db.pool.query(`UPDATE accounts SET owner = 'anna' WHERE id = 2`);
  await db.pool.query(`INSERT INTO accounts VALUES (1, 'bob')`);
  const [ins, renamed, moved, after, reused] = await events(db, 'public.accounts');
  assert.equal([moved.action, moved.target_id], ['update', '2'], 'the key change is recorded under the new key');

  // Asked by its old key, at a time after the change: the record is found under its new key.
  const forward = await asOf(db, { target_type: 'public.accounts', target_id: '1', at: after.at });
  assert.is(forward.state.exists, true);
  assert.is(forward.state.target_id, '2');
  assert.equal(forward.state.record, { id: 2, owner: 'anna' });
  assert.equal(forward.keys, ['1', '2']);
  assert.ok(forward.complete);
  // Asked by its new key, at a time before the change: back to the old key and its insert.
  const backward = await asOf(db, { target_type: 'public.accounts', target_id: '2', at: renamed.at });
  assert.equal(backward.state.record, { id: 1, owner: 'anne' });
  assert.is(backward.state.target_id, '1');
  assert.is(backward.first_event!.id, ins.id);
  assert.ok(backward.complete, 'the insert under the old key is the start of its history');
  // As of the key change itself, asked by the old key (the event page links with the event's own key).
  const at = await asOf(db, { target_type: 'public.accounts', target_id: '1', event: moved.id });
  assert.equal(at.state.record, { id: 2, owner: 'anne' });
  // Key 1 now is the row inserted later, whose history is its own.
  const now = await asOf(db, { target_type: 'public.accounts', target_id: '1' });
  assert.equal(now.state.record, { id: 1, owner: 'bob' });
  assert.is(now.first_event!.id, reused.id);
  assert.equal(now.keys, ['1']);
  assert.equal(now.history.count, 1);
});

t('several key changes, and a record renamed back to its first key', async ({ db }) => {
  await table(db, 'tags', 'code text PRIMARY KEY, uses int');
  await db.pool.query(`INSERT INTO tags VALUES ('a', 0)`);
  await db.pool.query(`UPDATE tags SET code = 'b'`);
  await db.pool.query(`UPDATE tags SET uses = 5`);
  await db.pool.query(`UPDATE tags SET code = 'a'`);
  const list = await events(db, 'public.tags');
  const r = await asOf(db, { target_type: 'public.tags', target_id: 'b', at: list[2].at });
  assert.equal(r.keys, ['a', 'b', 'a']);
  assert.equal(r.state.record, { code: 'b', uses: 5 });
  assert.equal((await asOf(db, { target_type: 'public.tags', target_id: 'a' })).state.record, { code: 'a', uses: 5 });
  assert.equal(r.history.count, 4);
});

t('a key left by one row and taken by another (a key change into it): two records, each followed', async ({ db }) => {
  await table(db, 'seats', 'id int PRIMARY KEY, holder text');
  await db.pool.query(`INSERT INTO seats VALUES (1, 'A'), (2, 'B')`);
  await db.pool.query(`UPDATE seats SET id = 3 WHERE id = 1`);
  await db.pool.query(`UPDATE seats SET id = 1 WHERE id = 2`);
  await db.pool.query(`UPDATE seats SET holder = 'B2' WHERE id = 1`);
  const [insA] = await events(db, 'public.seats');
  const a = await asOf(db, { target_type: 'public.seats', target_id: '1', at: insA.at });
  assert.equal(a.state.record, { id: 1, holder: 'A' });
  assert.equal([a.keys, a.history.count], [['1', '3'], 2], 'A: inserted as 1, moved to 3; B’s events under 1 are not its');
  const b = await asOf(db, { target_type: 'public.seats', target_id: '1' });
  assert.equal([b.state.record, b.keys, b.history.count], [{ id: 1, holder: 'B2' }, ['2', '1'], 3]);
  assert.equal((await asOf(db, { target_type: 'public.seats', target_id: '3' })).state.record, { id: 3, holder: 'A' });
});

t('a composite key (target_id a JSON array) is followed across a change of one of its columns', async ({ db }) => {
  await table(db, 'stock', 'site text, sku int, n int, PRIMARY KEY (site, sku)');
  await db.pool.query(`INSERT INTO stock VALUES ('eu', 1, 5)`);
  await db.pool.query(`UPDATE stock SET site = 'us'`);
  const [ins, moved] = await events(db, 'public.stock');
  assert.equal([ins.target_id, moved.target_id], ['["eu", 1]', '["us", 1]']);
  const r = await asOf(db, { target_type: 'public.stock', target_id: '["eu", 1]' });
  assert.equal(r.state.record, { site: 'us', sku: 1, n: 5 });
  assert.equal(r.keys, ['["eu", 1]', '["us", 1]']);
  assert.ok(r.complete);
});

t('the record predates auditing: the state after its first event is known, before it unknown, and it says so', async ({ db }) => {
  await db.pool.query(`CREATE TABLE legacy (id int PRIMARY KEY, v text)`);
  await db.pool.query(`INSERT INTO legacy VALUES (1, 'old')`);
  await enableAudit(db.pool, { schema: 'public', table: 'legacy' }, {});
  await db.pool.query(`UPDATE legacy SET v = 'new'`);
  const [upd] = await events(db, 'public.legacy');
  const now = await asOf(db, { target_type: 'public.legacy', target_id: '1' });
  assert.equal(now.state.record, { id: 1, v: 'new' });
  assert.not.ok(now.complete);
  assert.equal(now.incomplete.map((i) => [i.kind, i.event_id]), [['predates_auditing', upd.id]]);
  assert.match(now.incomplete[0].message, /is not an insert: the record existed before auditing began/);
  const earlier = await asOf(db, { target_type: 'public.legacy', target_id: '1', at: '2001-01-01T00:00:00Z' });
  assert.is(earlier.state.exists, null, 'unknown, not "did not exist"');
  assert.is(earlier.state.record, null);
});

t('retention dropped the early events: said as such, not as "predates auditing"', async ({ db }) => {
  await table(db, 'old_rows', 'id int PRIMARY KEY, v text');
  const put = (at: string, action: string, data: Record<string, unknown>, old?: Record<string, unknown>) => db.pool.query(
    `INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, db_user, new_data, old_data, changed_fields)
     VALUES ($1, 1, $2, 'public.old_rows', '5', 'db_role', 'tester', $3, $4, $5)`,
    [at, action, data, old ?? null, old ? Object.keys(old) : null]);
  await put('2024-01-10T00:00:00Z', 'insert', { id: 5, v: 'first' });
  await put('2024-03-20T00:00:00Z', 'update', { id: 5, v: 'second' }, { v: 'first' });
  const complete = await asOf(db, { target_type: 'public.old_rows', target_id: '5' });
  assert.ok(complete.complete, 'positive control: with its insert the history is complete');
  await setRetention(db.pool, '30 days');
  assert.ok((await runMaintenance(db.pool, new Date('2024-03-31T00:00:00Z'))).some((s) => s.action === 'dropped'));
  const r = await asOf(db, { target_type: 'public.old_rows', target_id: '5' });
  assert.equal(r.state.record, { id: 5, v: 'second' });
  assert.equal(r.incomplete.map((i) => i.kind), ['retention']);
  assert.match(r.incomplete[0].message, /retention dropped the events recorded before 2024-02-01T00:00:00\.000000Z/);
  await setRetention(db.pool, null);
});

t('TRUNCATE removes the record without a row event: it did not exist after, and a row inserted again starts anew', async ({ db }) => {
  await table(db, 'scratch', 'id int PRIMARY KEY, v text');
  await db.pool.query(`INSERT INTO scratch VALUES (1, 'x')`);
  await db.pool.query(`TRUNCATE scratch`);
  const [ins, trunc] = await events(db, 'public.scratch');
  const after = await asOf(db, { target_type: 'public.scratch', target_id: '1' });
  assert.is(after.state.exists, false);
  assert.is(after.state.removed_by!.id, trunc.id);
  assert.equal(after.state.last_record, { id: 1, v: 'x' });
  assert.equal(after.incomplete.map((i) => i.kind), ['truncated']);
  assert.ok(after.timeline.events.some((e) => e.kind === 'truncate' && e.id === trunc.id));
  const before = await asOf(db, { target_type: 'public.scratch', target_id: '1', at: ins.at });
  assert.is(before.state.exists, true, 'positive control: before the TRUNCATE it was there');
  await db.pool.query(`INSERT INTO scratch VALUES (1, 'y')`);
  const again = await asOf(db, { target_type: 'public.scratch', target_id: '1' });
  assert.equal(again.state.record, { id: 1, v: 'y' });
  assert.ok(again.complete, 'the new row has its insert');
  assert.equal(again.history.count, 1);
});

t('an update after a delete without an insert between: the creation was not recorded', async ({ db }) => {
  await db.pool.query(`CREATE TABLE partial (id int PRIMARY KEY, v text)`);
  await enableAudit(db.pool, { schema: 'public', table: 'partial' }, { actions: ['update', 'delete'] });
  await db.pool.query(`INSERT INTO partial VALUES (1, 'a')`);
  await db.pool.query(`DELETE FROM partial`);
  await db.pool.query(`INSERT INTO partial VALUES (1, 'b')`);
  await db.pool.query(`UPDATE partial SET v = 'c'`);
  const r = await asOf(db, { target_type: 'public.partial', target_id: '1' });
  assert.equal(r.state.record, { id: 1, v: 'c' });
  assert.equal(r.history.count, 1, 'the delete belongs to the earlier row');
  assert.equal(r.incomplete.map((i) => i.kind), ['creation_not_recorded', 'actions_not_captured']);
  assert.match(r.incomplete[1].message, /does not record inserts/);
});

t('columns dropped and added since, excluded, redacted, oversized and ignored columns are told apart', async ({ db }) => {
  await table(db, 'profiles', 'id int PRIMARY KEY, email text, secret text, token text, blob text, seen_at int, legacy text',
    { exclude: ['secret'], redact: ['token'], ignore: ['seen_at'], maxValueBytes: 64 });
  await db.pool.query(`INSERT INTO profiles VALUES (1, 'a@example.com', 's3cret', 'tok', repeat('x', 500), 1, 'old')`);
  await db.pool.query(`ALTER TABLE profiles DROP COLUMN legacy, ADD COLUMN phone text`);
  // The capture function names the dropped column: a DBA enables the table again (status: outdated).
  await enableAudit(db.pool, { schema: 'public', table: 'profiles' }, { exclude: ['secret'], redact: ['token'], ignore: ['seen_at'], maxValueBytes: 64 });
  const r = await asOf(db, { target_type: 'public.profiles', target_id: '1' });
  const record = r.state.record!;
  assert.not.ok('secret' in record, 'an excluded value is never in the image');
  assert.is(record.token, '[redacted]');
  assert.is((record.blob as Record<string, unknown>).$pgtrail, 'oversized');
  assert.not.ok(JSON.stringify(record).includes('s3cret') || JSON.stringify(record).includes('tok"'), 'no real value of a hidden column');
  const col = (name: string) => r.state.columns.find((c) => c.name === name)!;
  assert.equal(col('email'), { name: 'email', value: 'value', dropped_since: false, not_in_image: false, excluded: false, ignored: false });
  assert.is(col('token').value, 'redacted');
  assert.is(col('blob').value, 'oversized');
  assert.equal([col('secret').value, col('secret').excluded, col('secret').not_in_image], ['absent', true, true]);
  assert.ok(col('legacy').dropped_since, 'in the image, not in the table now');
  assert.equal([col('phone').value, col('phone').not_in_image, col('phone').excluded], ['absent', true, false], 'added since');
  assert.ok(col('seen_at').ignored);
  assert.is(col('id').ignored, false);

  // An update that leaves the oversized value alone records it without its md5; it did not change.
  await db.pool.query(`UPDATE profiles SET email = 'b@example.com'`);
  const [insert] = await events(db, 'public.profiles');
  const later = await asOf(db, { target_type: 'public.profiles', target_id: '1', at: insert.at, compare: new Date().toISOString() });
  const blob = later.compare!.record!.blob as Record<string, unknown>;
  assert.equal([blob.$pgtrail, blob.unchanged, 'md5' in blob], ['oversized', true, false]);
  const field = (name: string) => later.diff!.fields.find((f) => f.field === name)!;
  assert.equal([field('blob').changed, field('blob').events], [false, []]);
  assert.ok(field('email').changed, 'positive control');
});

t('a long history: the timeline shows the events around the point, the diff attributes at most DIFF_EVENTS, values stay exact', async ({ db }) => {
  await table(db, 'busy', 'id int PRIMARY KEY, n int, big numeric');
  await db.pool.query(`INSERT INTO busy VALUES (1, 0, 12345678901234567890.123456789012345)`);
  await db.pool.query(`DO $$ BEGIN FOR i IN 1..${DIFF_EVENTS + 20} LOOP UPDATE busy SET n = i; END LOOP; END $$`);
  const list = await events(db, 'public.busy');
  const middle = list[300];
  const r = await asOf(db, { target_type: 'public.busy', target_id: '1', event: middle.id, compare: '2000-01-01' });
  assert.equal(r.timeline.events.length, 2 * TIMELINE_SIDE);
  assert.ok(r.timeline.earlier && r.timeline.later);
  assert.is(r.timeline.events[TIMELINE_SIDE - 1].id, middle.id, 'the point is the last event within');
  assert.is(r.state.record!.n, 300);
  assert.instance(r.state.record!.big, ExactNumber);
  assert.is(String(r.state.record!.big), '12345678901234567890.123456789012345');
  assert.equal(r.history, { count: DIFF_EVENTS + 21, capped: false });
  assert.ok(HISTORY_COUNT_CAP > DIFF_EVENTS + 21);
  const far = await asOf(db, { target_type: 'public.busy', target_id: '1', at: list[0].at, compare: list[list.length - 1].at });
  assert.ok(far.diff!.events_capped);
  assert.is(far.diff!.events.length, DIFF_EVENTS);
  assert.equal(far.diff!.fields.find((f) => f.field === 'n')!.after, DIFF_EVENTS + 20, 'values come from the two states, exact beyond the cap');
  // The loop's updates share the DO statement's time: a time cannot fall between them, an event can.
  await db.pool.query(`INSERT INTO busy VALUES (2, 0, 1)`);
  await db.pool.query(`UPDATE busy SET n = 1 WHERE id = 2`);
  await db.pool.query(`UPDATE busy SET n = 2 WHERE id = 2`);
  const two = (await events(db, 'public.busy')).filter((e) => e.target_id === '2');
  const near = await asOf(db, { target_type: 'public.busy', target_id: '2', at: two[0].at, compare: two[2].at });
  assert.not.ok(near.diff!.events_capped, 'positive control');
  assert.equal(near.diff!.events.map((e) => e.id), [two[1].id, two[2].id]);
  assert.equal(near.diff!.fields.find((f) => f.field === 'n'), { field: 'n', before: 0, after: 2, changed: true, events: [two[1].id, two[2].id] });
});

t('a table no longer audited keeps its history, said to be incomplete since; the columns are still read from the catalog', async ({ db }) => {
  await table(db, 'retired', 'id int PRIMARY KEY, v text');
  await db.pool.query(`INSERT INTO retired VALUES (1, 'a')`);
  const before = await asOf(db, { target_type: 'public.retired', target_id: '1' });
  assert.ok(before.complete, 'positive control: audited, with its insert');
  assert.ok(await disableAudit(db.pool, { schema: 'public', table: 'retired' }));
  await db.pool.query(`UPDATE retired SET v = 'unseen'`);
  const r = await asOf(db, { target_type: 'public.retired', target_id: '1' });
  assert.equal(r.state.record, { id: 1, v: 'a' }, 'the last recorded state');
  assert.equal(r.incomplete.map((i) => i.kind), ['not_audited_now']);
  assert.equal(r.state.columns.map((c) => c.name), ['id', 'v']);
});

t('times: microseconds kept, a date means the end of that day, offsets and a URL-decoded + accepted, nonsense refused', () => {
  assert.equal(parseAsOfTime('at', '2026-11-24T09:30:12.123456Z'), { iso: '2026-11-24T09:30:12.123456Z', dateOnly: false });
  assert.equal(parseAsOfTime('at', '2026-11-24'), { iso: '2026-11-24T23:59:59.999999Z', dateOnly: true });
  assert.is(parseAsOfTime('at', '2026-11-24T10:30:00+01:00').iso, '2026-11-24T09:30:00.000000Z');
  assert.is(parseAsOfTime('at', '2026-11-24T10:30 01:00').iso, '2026-11-24T09:30:00.000000Z');
  assert.is(parseAsOfTime('at', '2026-11-24 09:30').iso, '2026-11-24T09:30:00.000000Z', 'no zone: UTC');
  for (const [input, why] of [['2026-02-30', /not a calendar date/], ['yesterday', /not a date or time/], ['2026-11-24T24:00:00Z', /not a valid time of day/],
    ['2026-11-24T09:30:00.1234567Z', /not a date or time/], ['2026-11-24T09:30:00+16:00', /not a time zone offset/],
    ['0000-01-01', /not a date or time/]] as const) {
    try {
      parseAsOfTime('at', input);
      assert.unreachable(input);
    } catch (error) {
      assert.instance(error, UserError);
      assert.match((error as Error).message, why);
    }
  }
});

t('bad requests say what was wrong; an unknown record has no history', async ({ db }) => {
  await table(db, 'plain', 'id int PRIMARY KEY');
  await db.pool.query(`INSERT INTO plain VALUES (1)`);
  await db.pool.query(`SELECT audit.log_event('broadcast.send', 'broadcast', '9', '{}')`);
  const [ins] = await events(db, 'public.plain');
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ target_id: '1' }, /target_type: required/],
    [{ target_type: 'public.plain' }, /target_id: required/],
    [{ target_type: 'public.plain', target_id: '1', at: 'soon' }, /at: "soon" is not a date or time/],
    [{ target_type: 'public.plain', target_id: '1', compare: '2026-13-01' }, /compare: "2026-13-01" is not a calendar date/],
    [{ target_type: 'public.plain', target_id: '1', event: '12x' }, /event: "12x" is not an event id/],
    [{ target_type: 'public.nope', target_id: '1' }, /target_type: "public.nope" is not an audited table/],
    [{ target_type: 'broadcast', target_id: '9' }, /"broadcast" is an application type, not an audited table/],
    [{ target_type: 'public.plain', target_id: '2', event: ins.id }, /event: event \d+ is about public.plain #1, not public.plain #2/],
  ];
  for (const [params, why] of cases) await rejected(asOf(db, params), UserError, why);
  await rejected(asOf(db, { target_type: 'public.plain', target_id: '2' }), NoHistoryError, /no row change of public.plain #2 is recorded/);
  await rejected(asOf(db, { target_type: 'public.plain', target_id: '1', event: '999999999' }), NoHistoryError, /there is no event 999999999/);
  const ok = await asOf(db, { target_type: 'public.plain', target_id: '1' });
  assert.equal(ok.state.record, { id: 1 }, 'positive control');
});

t.run();
