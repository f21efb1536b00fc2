// The demo of `npm start`: its history's database-role events look exactly like the trigger's
// fallback without context, the live changes are made once per database, and both are named by
// the demo tables' labels and verbs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { installDemoHistory } from '../src/demo/history.ts';
import { installDemo, makeDemoChanges } from '../src/demo/seed.ts';
import { parseFilter } from '../src/query/filter.ts';
import { listEvents } from '../src/query/list.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase; historyEnd: string }>('demo');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('demo');
  await installDemo(ctx.db.pool);
  assert.ok((await installDemoHistory(ctx.db.pool)) > 0);
  // Everything after this id is live, not history.
  ctx.historyEnd = (await ctx.db.pool.query('SELECT max(id)::text AS id FROM audit.events')).rows[0].id;
});
t.after(async (ctx) => ctx.db?.drop());

const FIELDS = `actor_type, actor_id, actor_name, ip, user_agent, request_id, db_user, app_name, metadata`;

t('live changes: made on the first call, not again on the next (nor by a second install)', async ({ db, historyEnd }) => {
  const count = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE id > $1`, [historyEnd])).rows[0].n;
  assert.is(await count(), 0);
  assert.is(await makeDemoChanges(db.pool), true);
  const live = await count();
  assert.ok(live >= 6, `the live changes were recorded (${live})`);
  await installDemo(db.pool);
  assert.is(await installDemoHistory(db.pool), 0);
  assert.is(await makeDemoChanges(db.pool), false);
  assert.is(await count(), live);
});

t("history's database-role events have the shape of the real fallback (psql, no context)", async ({ db, historyEnd }) => {
  // The real one: the live demo's DELETE without context, through the generated trigger.
  const { rows: [real] } = await db.pool.query(
    `SELECT ${FIELDS} FROM audit.events WHERE actor_type = 'db_role' AND action = 'delete' AND id > $1`, [historyEnd]);
  assert.ok(real, 'the live demo made a database-role delete');
  assert.is(real.app_name, 'psql');
  assert.is(real.actor_id, real.db_user);
  assert.is(real.actor_name, real.db_user);

  const { rows: synthesized } = await db.pool.query(
    `SELECT ${FIELDS} FROM audit.events WHERE actor_type = 'db_role' AND id <= $1 AND action NOT LIKE 'audit.%' ORDER BY id`, [historyEnd]);
  assert.ok(synthesized.length > 0, 'the history has database-role events');
  for (const e of synthesized) {
    // Same fields set and unset as the fallback: the session role as actor, psql, a client address.
    const shape = (x: typeof e) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, v === null ? null : typeof v]));
    assert.equal(shape(e), shape(real));
    assert.is(e.actor_id, e.db_user);
    assert.is(e.actor_name, e.db_user);
    assert.is(e.db_user, 'dba');
    assert.is(e.app_name, 'psql');
  }
});

t('the demo speaks in labels and verbs: live and history events are named, and a campaign is one history with its sends', async ({ db, historyEnd }) => {
  const { rows: live } = await db.pool.query(
    `SELECT action, target_type, target_id, target_label, verb FROM audit.events WHERE id > $1 AND target_type IN ('demo.campaigns', 'campaign', 'demo.contacts') ORDER BY id`, [historyEnd]);
  const campaign = live.find((r) => r.target_type === 'demo.campaigns')!;
  assert.equal(live.filter((r) => r.target_id === campaign.target_id && r.target_type !== 'demo.contacts').map((r) => `${r.target_type} ${r.verb ?? r.action} ${r.target_label}`), [
    'demo.campaigns insert Broadcast: Spring sale', 'demo.campaigns send Broadcast: Spring sale', 'campaign broadcast.send Broadcast: Spring sale',
  ]);
  assert.equal(live.filter((r) => r.target_type === 'demo.contacts').map((r) => `${r.verb ?? r.action} ${r.target_label}`), [
    'insert Contact: Lee', 'rename Contact: Lee Park', 'delete Contact: Lee Park',
  ], 'the deleted contact keeps its label');
  const history = await listEvents(db.pool, parseFilter(new URLSearchParams({ target_type: 'demo.campaigns', target_id: campaign.target_id })), { secret: 's' });
  assert.ok(history.events.some((e) => e.action === 'broadcast.send'), 'the record history includes the application event about the campaign');
  assert.equal(history.targets?.['demo.campaigns']?.typeName, 'Broadcast');

  const { rows: past } = await db.pool.query(
    `SELECT target_type, count(*) FILTER (WHERE target_label IS NOT NULL)::int AS labelled, count(*)::int AS n,
            array_agg(DISTINCT verb) FILTER (WHERE verb IS NOT NULL) AS verbs
       FROM audit.events WHERE id <= $1 AND target_type IN ('demo.campaigns', 'demo.contacts', 'campaign') GROUP BY 1 ORDER BY 1`, [historyEnd]);
  for (const r of past) assert.is(r.labelled, r.n, `${r.target_type}: every history event has its label`);
  assert.equal(past.find((r) => r.target_type === 'demo.campaigns').verbs.sort(), ['resend', 'schedule', 'send']);
  assert.ok(past.find((r) => r.target_type === 'demo.contacts').verbs.includes('rename'));
});

t.run();
