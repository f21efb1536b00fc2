// Capture template v3: labels and verbs recorded with each event. A label is evaluated when the
// change is recorded (from the old row for a delete, so it survives the deletion), a verb names
// an update by the first rule its change matches, and a label that raises on some rows never
// makes the write fail: every row is recorded, the good ones labelled, the others with
// metadata.label_error.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { enableAudit } from '../src/audit/enable.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('capture-labels');
const campaigns = { schema: 'public', table: 'campaigns' };

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('capture_labels');
  await ctx.db.pool.query(`CREATE TABLE campaigns (id int PRIMARY KEY, subject text, status text, paused_at timestamptz,
                             deleted_at timestamptz, recipients int, note text)`);
  await enableAudit(ctx.db.pool, campaigns, {
    label: `'Broadcast: ' || subject || ' (' || (1000 / recipients)::text || ' per mille)'`,
    typeName: 'Broadcast',
    entity: 'campaign',
    // The TypeScript API takes rules as text, as the CLI does.
    verbs: ['send:status=sent', 'pause:paused_at!=null', 'resume:paused_at=null', 'delete:deleted_at!=null', 'rename:subject'],
  });
});
t.after(async (ctx) => ctx.db?.drop());

async function events(db: TestDatabase, since = 0) {
  return (await db.pool.query(
    `SELECT id::int, action, target_id, target_label, verb, metadata FROM audit.events
      WHERE target_type = 'public.campaigns' AND id > $1 ORDER BY id`, [since])).rows;
}
async function lastId(db: TestDatabase): Promise<number> {
  return (await db.pool.query(`SELECT coalesce(max(id), 0)::int AS n FROM audit.events`)).rows[0].n;
}

t('insert, update and delete record the label; a delete labels from the old row, so it survives', async ({ db }) => {
  const since = await lastId(db);
  await db.pool.query(`INSERT INTO campaigns VALUES (1, 'May Newsletter', 'draft', NULL, NULL, 4, NULL)`);
  await db.pool.query(`UPDATE campaigns SET subject = 'May Newsletter #38' WHERE id = 1`);
  await db.pool.query(`DELETE FROM campaigns WHERE id = 1`);
  const rows = await events(db, since);
  assert.equal(rows.map((r) => [r.action, r.target_label, r.verb]), [
    ['insert', 'Broadcast: May Newsletter (250 per mille)', null],
    ['update', 'Broadcast: May Newsletter #38 (250 per mille)', 'rename'],
    ['delete', 'Broadcast: May Newsletter #38 (250 per mille)', null],
  ]);
  assert.ok(rows.every((r) => r.metadata === null), 'no label_error when the label evaluates');
});

t('verbs: the first matching rule names the update; the action stays update; no rule, no verb', async ({ db }) => {
  await db.pool.query(`INSERT INTO campaigns VALUES (2, 'June', 'draft', NULL, NULL, 10, NULL)`);
  const since = await lastId(db);
  await db.pool.query(`UPDATE campaigns SET status = 'sent', subject = 'June!' WHERE id = 2`); // send before rename
  await db.pool.query(`UPDATE campaigns SET status = 'sent' WHERE id = 2`); // no change: no event
  await db.pool.query(`UPDATE campaigns SET paused_at = now() WHERE id = 2`);
  await db.pool.query(`UPDATE campaigns SET paused_at = NULL WHERE id = 2`);
  await db.pool.query(`UPDATE campaigns SET note = 'x' WHERE id = 2`);
  await db.pool.query(`UPDATE campaigns SET deleted_at = now() WHERE id = 2`);
  await db.pool.query(`UPDATE campaigns SET status = 'draft' WHERE id = 2`); // leaving 'sent' is no rule here
  const rows = await events(db, since);
  assert.equal(rows.map((r) => [r.action, r.verb]), [
    ['update', 'send'], ['update', 'pause'], ['update', 'resume'], ['update', null], ['update', 'delete'], ['update', null],
  ]);
});

t('a label that divides by zero on some rows of one statement: every row recorded, the good ones labelled', async ({ db }) => {
  const since = await lastId(db);
  await db.pool.query(`INSERT INTO campaigns VALUES (10, 'A', 'draft', NULL, NULL, 1, NULL), (11, 'B', 'draft', NULL, NULL, 0, NULL),
                                                   (12, 'C', 'draft', NULL, NULL, 2, NULL), (13, 'D', 'draft', NULL, NULL, 0, NULL)`);
  await db.pool.query(`UPDATE campaigns SET status = 'sent' WHERE id BETWEEN 10 AND 13`);
  await db.pool.query(`DELETE FROM campaigns WHERE id BETWEEN 10 AND 13`);
  const rows = await events(db, since);
  assert.is(rows.length, 12, 'four rows, three statements, all recorded');
  for (const action of ['insert', 'update', 'delete']) {
    const of = rows.filter((r) => r.action === action);
    assert.equal(of.map((r) => [r.target_id, r.target_label]), [
      ['10', 'Broadcast: A (1000 per mille)'], ['11', null], ['12', 'Broadcast: C (500 per mille)'], ['13', null],
    ], action);
    assert.equal(of.map((r) => r.metadata?.label_error ?? null), [null, 'division by zero', null, 'division by zero'], action);
  }
  assert.equal(rows.filter((r) => r.action === 'update').map((r) => r.verb), ['send', 'send', 'send', 'send'], 'verbs still set on the fallback pass');
  const { rows: left } = await db.pool.query(`SELECT count(*)::int AS n FROM campaigns WHERE id BETWEEN 10 AND 13`);
  assert.is(left[0].n, 0, 'the writes themselves went through');
});

t('a table without label or verbs records NULL for both (as before)', async ({ db }) => {
  await db.pool.query(`CREATE TABLE plain (id int PRIMARY KEY, v text)`);
  await enableAudit(db.pool, { schema: 'public', table: 'plain' }, {});
  await db.pool.query(`INSERT INTO plain VALUES (1, 'a')`);
  await db.pool.query(`UPDATE plain SET v = 'b'`);
  const { rows } = await db.pool.query(`SELECT target_label, verb FROM audit.events WHERE target_type = 'public.plain' ORDER BY id`);
  assert.equal(rows, [{ target_label: null, verb: null }, { target_label: null, verb: null }]);
});

t('audit.log_event takes an optional label; three- and four-argument calls still work', async ({ db }) => {
  const { rows } = await db.pool.query(`SELECT audit.log_event('broadcast.send', 'campaign', '2') AS a,
      audit.log_event('broadcast.send', 'campaign', '2', '{"n": 1}') AS b,
      audit.log_event('broadcast.send', 'campaign', '2', NULL, 'Broadcast: June!') AS c`);
  const { rows: recorded } = await db.pool.query(`SELECT target_label, metadata FROM audit.events WHERE id = ANY($1::bigint[]) ORDER BY id`, [[rows[0].a, rows[0].b, rows[0].c]]);
  assert.equal(recorded, [{ target_label: null, metadata: null }, { target_label: null, metadata: { n: 1 } }, { target_label: 'Broadcast: June!', metadata: null }]);
});

t.run();
