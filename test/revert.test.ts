// Revert as a recorded event (src/revert): undo an update, re-create a deleted row, delete an
// inserted row, or a whole transaction in reverse order — one transaction, all or nothing, under
// the acting person's context, each revert event linking the original in metadata.reverts. Every
// refusal is checked for its reason, and beside each refusal a control shows the same case runs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { disableAudit, enableAudit } from '../src/audit/enable.ts';
import { withAuditContext, type AuditContext } from '../src/audit/context.ts';
import { buildPreview, canRun } from '../src/revert/preview.ts';
import { RevertFailed, RevertRefused, runRevert } from '../src/revert/run.ts';
import type { Selector } from '../src/revert/check.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('revert');
const ADMIN: AuditContext = { actorType: 'user', actorId: '7', actorName: 'admin@example.com', ip: '203.0.113.9' };
const APP: AuditContext = { actorType: 'user', actorId: '42', actorName: 'maya@example.com' };

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('revert');
  await ctx.db.pool.query(`
    CREATE TABLE people (
      id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email    text NOT NULL,
      name     text,
      tags     text[] NOT NULL DEFAULT '{}',
      balance  numeric,
      prefs    jsonb,
      seen_at  timestamptz,
      secret   text,
      pw       text,
      touched  timestamptz,
      email_lc text GENERATED ALWAYS AS (lower(email)) STORED)`);
  await enableAudit(ctx.db.pool, { schema: 'public', table: 'people' }, { exclude: ['pw'], redact: ['secret'], ignore: ['touched'] });
});
t.after(async (ctx) => ctx.db?.drop());

const one = (id: string): Selector => ({ kind: 'event', id });
const tx = (id: string): Selector => ({ kind: 'tx', id });

async function lastEvent(db: TestDatabase, where = 'true'): Promise<{ id: string; tx_id: string }> {
  return (await db.pool.query(`SELECT e.id::text AS id, e.tx_id::text AS tx_id FROM audit.events AS e WHERE ${where} ORDER BY e.id DESC LIMIT 1`)).rows[0];
}
async function person(db: TestDatabase, id: string) {
  return (await db.pool.query(`SELECT id::text, email, name, tags, balance::text, prefs, seen_at, secret, pw FROM people WHERE id = $1`, [id])).rows[0];
}
async function insertPerson(db: TestDatabase, email: string, extra = ''): Promise<string> {
  return withAuditContext(db.pool, APP, async (c) =>
    (await c.query(`INSERT INTO people (email, name, tags, balance, prefs, seen_at${extra ? ', secret' : ''})
                    VALUES ($1, 'Maya', '{a,"b c"}', 12345678901234567890.000000001, '{"k": [1, 2.50]}', '2026-11-30 10:00:01.123456Z'${extra ? ', $2' : ''})
                    RETURNING id::text`, extra ? [email, extra] : [email])).rows[0].id);
}
async function preview(db: TestDatabase, selector: Selector) {
  const p = await buildPreview(db.pool, db.pool, selector);
  assert.ok(p, 'found');
  return p!;
}
async function revert(db: TestDatabase, selector: Selector, override = false) {
  const client = await db.pool.connect();
  try {
    return await runRevert(client, await preview(db, selector), { override, actor: ADMIN });
  } finally {
    client.release();
  }
}
async function refusedWith(db: TestDatabase, selector: Selector, reason: RegExp) {
  const p = await preview(db, selector);
  assert.not.ok(canRun(p, false), 'refused');
  assert.match([...p.blocked, ...p.changed].join('\n'), reason);
  const client = await db.pool.connect();
  try {
    await runRevert(client, p, { override: false, actor: ADMIN });
    assert.unreachable('ran');
  } catch (error) {
    assert.instance(error, RevertRefused);
    assert.match((error as Error).message, reason);
  } finally {
    client.release();
  }
}
const revertEvents = async (db: TestDatabase, original: string) =>
  (await db.pool.query(`SELECT id::text, action, actor_type, actor_id, actor_name, host(ip) AS ip, metadata, tx_id::text FROM audit.events
                          WHERE metadata ->> 'reverts' = $1 ORDER BY id`, [original])).rows;

t('undo an update: the changed columns take their previous values, exactly; the revert is an event by the admin linking the original', async ({ db }) => {
  const id = await insertPerson(db, 'maya@example.com');
  const before = await person(db, id);
  await withAuditContext(db.pool, APP, (c) => c.query(`UPDATE people SET email = 'MAYA@evil.example', tags = '{x}', balance = 1, prefs = '{"k": null}' WHERE id = $1`, [id]));
  const update = await lastEvent(db);
  const p = await preview(db, one(update.id));
  assert.ok(canRun(p, false), p.blocked.concat(p.changed).join('; '));
  assert.is(p.views[0].step.kind, 'undo-update');
  assert.match(p.views[0].step.statement.text, /^UPDATE "public"\."people" AS t\n {3}SET "email" = v\."email", "tags" = v\."tags", "balance" = v\."balance", "prefs" = v\."prefs"\n/);
  assert.equal(p.views[0].before?.email, 'MAYA@evil.example');
  assert.equal(p.views[0].after?.email, 'maya@example.com');
  const done = await revert(db, one(update.id));
  assert.is(done.statements, 1);
  assert.equal(await person(db, id), before, 'row as it was, numeric and timestamp digit for digit');
  const events = await revertEvents(db, update.id);
  assert.is(events.length, 1);
  assert.is(events[0].action, 'update');
  assert.is(events[0].actor_name, 'admin@example.com');
  assert.is(events[0].actor_id, '7');
  assert.is(events[0].ip, '203.0.113.9');
  assert.equal(events[0].metadata, { reverts: Number(update.id) });
  assert.is(events[0].tx_id, done.txId);
});

t('re-create a deleted row: identity key given back (OVERRIDING SYSTEM VALUE), excluded column left to its default and said so', async ({ db }) => {
  const id = await insertPerson(db, 'gone@example.com');
  await db.pool.query(`UPDATE people SET pw = 'hash' WHERE id = $1`, [id]);
  const before = await person(db, id);
  await withAuditContext(db.pool, APP, (c) => c.query(`DELETE FROM people WHERE id = $1`, [id]));
  const del = await lastEvent(db);
  const p = await preview(db, one(del.id));
  assert.ok(canRun(p, false), p.blocked.join('; '));
  const step = p.views[0].step;
  assert.is(step.kind, 'recreate');
  assert.match(step.statement.text, /^INSERT INTO "public"\."people" \(.*"id".*\) OVERRIDING SYSTEM VALUE\nSELECT /);
  assert.not.match(step.statement.text, /email_lc/, 'the generated column is computed, not written');
  assert.equal(step.defaulted, ['pw']);
  assert.is(p.views[0].before, null);
  await revert(db, one(del.id));
  assert.equal(await person(db, id), { ...before, pw: null });
  const [e] = await revertEvents(db, del.id);
  assert.is(e.action, 'insert');
});

t('delete an inserted row', async ({ db }) => {
  const id = await insertPerson(db, 'new@example.com');
  const ins = await lastEvent(db);
  await revert(db, one(ins.id));
  assert.is(await person(db, id), undefined);
  assert.is((await revertEvents(db, ins.id))[0].action, 'delete');
});

t('the row changed since: refused naming the newer change, which the preview lists; an explicit override runs it', async ({ db }) => {
  const id = await insertPerson(db, 'a@example.com');
  await withAuditContext(db.pool, APP, (c) => c.query(`UPDATE people SET name = 'First' WHERE id = $1`, [id]));
  const first = await lastEvent(db);
  await withAuditContext(db.pool, { actorType: 'system', actorId: 'sync' }, (c) => c.query(`UPDATE people SET name = 'Second' WHERE id = $1`, [id]));
  const second = await lastEvent(db);
  await refusedWith(db, one(first.id), new RegExp(`changed since event #${first.id}: event #${second.id} \\(update of name by sync`));
  const p = await preview(db, one(first.id));
  assert.equal(p.newer.map((e) => String(e.id)), [second.id]);
  assert.match(p.changed.join('\n'), /"name" differs from what it left/);
  assert.is(p.blocked.length, 0, 'only an override is needed');
  await revert(db, one(first.id), true);
  assert.is((await person(db, id)).name, 'Maya');
});

t('a change that left no event (ignored column alone) does not count; a change made with capture off does', async ({ db }) => {
  const id = await insertPerson(db, 'b@example.com');
  await db.pool.query(`UPDATE people SET name = 'N' WHERE id = $1`, [id]);
  const upd = await lastEvent(db);
  await db.pool.query(`UPDATE people SET touched = now() WHERE id = $1`, [id]);
  assert.ok(canRun(await preview(db, one(upd.id)), false), 'an ignored column changed: no conflict');
  await db.pool.query(`ALTER TABLE people DISABLE TRIGGER USER; UPDATE people SET name = 'sneaky' WHERE id = ${id}; ALTER TABLE people ENABLE TRIGGER USER`);
  await refusedWith(db, one(upd.id), /"name" differs from what it left/);
});

t('capture off on the table (a trigger disabled) or not recording the action the revert performs: refused, so no revert goes unrecorded', async ({ db }) => {
  const id = await insertPerson(db, 'off@example.com');
  await db.pool.query(`UPDATE people SET name = 'Off' WHERE id = $1`, [id]);
  const upd = await lastEvent(db);
  assert.ok(canRun(await preview(db, one(upd.id)), false), 'positive control: with capture on it can run');
  await db.pool.query(`ALTER TABLE people DISABLE TRIGGER pgtrail_update`);
  try {
    await refusedWith(db, one(upd.id), /capture is off on public\.people \(pgtrail_update disabled\), so the revert would not be recorded/);
  } finally {
    await db.pool.query(`ALTER TABLE people ENABLE TRIGGER pgtrail_update`);
  }
  await db.pool.query(`CREATE TABLE only_inserts (id int PRIMARY KEY, v text)`);
  await enableAudit(db.pool, { schema: 'public', table: 'only_inserts' }, { actions: ['insert'] });
  await db.pool.query(`INSERT INTO only_inserts VALUES (1, 'x')`);
  const ins = await lastEvent(db, `target_type = 'public.only_inserts'`);
  await refusedWith(db, one(ins.id), /capture does not record deletes \(--actions\)/);
});

t('the row is gone, or its key is taken: refused, and no override lifts it', async ({ db }) => {
  const id = await insertPerson(db, 'c@example.com');
  await db.pool.query(`UPDATE people SET name = 'X' WHERE id = $1`, [id]);
  const upd = await lastEvent(db);
  await db.pool.query(`DELETE FROM people WHERE id = $1`, [id]);
  const del = await lastEvent(db);
  const p = await preview(db, one(upd.id));
  assert.match(p.blocked.join('\n'), new RegExp(`the row of event #${upd.id} does not exist any more in public\\.people \\(id = ${id}\\)`));
  assert.not.ok(canRun(p, true));
  await revert(db, one(del.id));
  await refusedWith(db, one(del.id), /a row with the key of event #\d+ exists in public\.people .* now/);
});

t('values never recorded: a redacted value and an oversized one are refused with the reason', async ({ db }) => {
  const id = await insertPerson(db, 'd@example.com', 's3cret');
  await db.pool.query(`UPDATE people SET secret = 'other' WHERE id = $1`, [id]);
  await refusedWith(db, one((await lastEvent(db)).id), /"secret" is recorded as \[redacted\], so its value is unknown/);
  await db.pool.query(`DELETE FROM people WHERE id = $1`, [id]);
  await refusedWith(db, one((await lastEvent(db)).id), /cannot re-create the row of event #\d+: "secret" is recorded as \[redacted\]/);
  // Control: with no secret, the same delete is re-created.
  const plain = await insertPerson(db, 'e@example.com');
  await db.pool.query(`DELETE FROM people WHERE id = $1`, [plain]);
  assert.ok(canRun(await preview(db, one((await lastEvent(db)).id)), false));

  await db.pool.query(`CREATE TABLE files (id int PRIMARY KEY, body text)`);
  await enableAudit(db.pool, { schema: 'public', table: 'files' }, { maxValueBytes: 100 });
  await db.pool.query(`INSERT INTO files SELECT 1, string_agg(md5(i::text), '') FROM generate_series(1, 200) AS i; INSERT INTO files VALUES (2, 'small')`);
  await db.pool.query(`UPDATE files SET body = 'short' WHERE id = 1`);
  await refusedWith(db, one((await lastEvent(db)).id), /"body" was larger than the capture's size cap \(\d+ bytes\) and was recorded as its size and md5 only/);
  await db.pool.query(`UPDATE files SET body = 'tiny' WHERE id = 2`);
  assert.ok(canRun(await preview(db, one((await lastEvent(db)).id)), false), 'control: a small value reverts');
});

t('the table changed since: a dropped column, a NOT NULL column without default added', async ({ db }) => {
  await db.pool.query(`CREATE TABLE items (id int PRIMARY KEY, a text, b text)`);
  await enableAudit(db.pool, { schema: 'public', table: 'items' }, {});
  await db.pool.query(`INSERT INTO items VALUES (1, 'a', 'b'), (2, 'a', 'b')`);
  await db.pool.query(`DELETE FROM items WHERE id = 1`);
  const del1 = await lastEvent(db);
  await db.pool.query(`UPDATE items SET a = 'A' WHERE id = 2`);
  const upd2 = await lastEvent(db);
  await db.pool.query(`ALTER TABLE items ADD COLUMN c text NOT NULL DEFAULT 'c', ADD COLUMN d int`);
  await enableAudit(db.pool, { schema: 'public', table: 'items' }, {});
  assert.ok(canRun(await preview(db, one(del1.id)), false), 'columns added with a default or nullable: fine');
  await db.pool.query(`ALTER TABLE items ADD COLUMN e int NOT NULL DEFAULT 0; ALTER TABLE items ALTER COLUMN e DROP DEFAULT`);
  await refusedWith(db, one(del1.id), /column "e" was added since the event, and it is NOT NULL without a default/);
  await db.pool.query(`ALTER TABLE items DROP COLUMN b`);
  await enableAudit(db.pool, { schema: 'public', table: 'items' }, {});
  await refusedWith(db, one(upd2.id), /the columns of public\.items changed since event #\d+: "b" no longer exists/);
});

t('not a row change (application event, truncate), not audited any more, no such event', async ({ db }) => {
  const app = (await db.pool.query(`SELECT audit.log_event('broadcast.send', 'campaign', '203')::text AS id`)).rows[0].id;
  await refusedWith(db, one(app), /\(broadcast\.send\) is not a row change: only insert, update and delete events can be reverted/);
  await db.pool.query(`CREATE TABLE scratch (id int PRIMARY KEY, v text)`);
  await enableAudit(db.pool, { schema: 'public', table: 'scratch' }, {});
  await db.pool.query(`INSERT INTO scratch VALUES (1, 'x')`);
  const ins = await lastEvent(db, `target_type = 'public.scratch'`);
  assert.ok(canRun(await preview(db, one(ins.id)), false), 'control: revertable while audited');
  await db.pool.query(`TRUNCATE scratch`);
  await refusedWith(db, one((await lastEvent(db, `action = 'truncate'`)).id), /is a truncate of public\.scratch: it records no rows/);
  await disableAudit(db.pool, { schema: 'public', table: 'scratch' });
  await refusedWith(db, one(ins.id), /public\.scratch is not audited any more, so a revert could not be recorded/);
  assert.is(await buildPreview(db.pool, db.pool, one('999999999')), null);
});

t('a whole transaction: its row events undone newest first, application events left; each revert event links its original and the transaction', async ({ db }) => {
  const keep = await insertPerson(db, 'keep@example.com');
  const drop = await insertPerson(db, 'drop@example.com');
  const before = { keep: await person(db, keep), drop: await person(db, drop) };
  const txId = await withAuditContext(db.pool, APP, async (c) => {
    const id = (await c.query(`INSERT INTO people (email) VALUES ('made@example.com') RETURNING id::text`)).rows[0].id;
    await c.query(`UPDATE people SET name = 'one' WHERE id = $1`, [keep]);
    await c.query(`UPDATE people SET name = 'two', tags = '{t}' WHERE id = $1`, [keep]);
    await c.query(`UPDATE people SET email = 'made2@example.com' WHERE id = $1`, [id]);
    await c.query(`DELETE FROM people WHERE id = $1`, [drop]);
    await c.query(`SELECT audit.log_event('contact.merge', 'contact', $1)`, [keep]);
    return (await c.query('SELECT txid_current()::text AS tx')).rows[0].tx;
  });
  const p = await preview(db, tx(txId));
  assert.ok(canRun(p, false), p.blocked.concat(p.changed).join('; '));
  assert.equal(p.views.map((v) => v.step.kind), ['recreate', 'undo-update', 'undo-update', 'undo-update', 'remove']);
  assert.equal(p.plan.skipped.map((e) => e.action), ['contact.merge']);
  assert.ok(!p.views[2].simulated && p.views[3].simulated, 'the second step on the same row follows the first');
  assert.is(p.views[3].before?.name, 'one');
  assert.is(p.views[3].after?.name, 'Maya');
  const originals = p.views.map((v) => v.step.event.id);
  await revert(db, tx(txId));
  assert.equal(await person(db, keep), before.keep);
  assert.equal(await person(db, drop), before.drop);
  assert.is((await db.pool.query(`SELECT count(*)::int AS n FROM people WHERE email LIKE 'made%'`)).rows[0].n, 0);
  const { rows } = await db.pool.query(`SELECT metadata FROM audit.events WHERE metadata ? 'reverts_tx' ORDER BY id`);
  assert.equal(rows.map((r) => r.metadata), originals.map((id) => ({ reverts: id, reverts_tx: Number(txId) })));
});

t('hostile names and values: identifiers quoted by the one quoting path, values only as parameters', async ({ db }) => {
  await db.pool.query(`CREATE SCHEMA "we""ird"; CREATE TABLE "we""ird"."ta ble; --" ("k ""ey" int PRIMARY KEY, "v'); DROP TABLE people; --" text, "$$" text)`);
  await enableAudit(db.pool, { schema: 'we"ird', table: 'ta ble; --' }, {});
  const hostile = `'); DROP TABLE people; -- $$ $1 \\ "`;
  await db.pool.query(`INSERT INTO "we""ird"."ta ble; --" VALUES (1, $1, $1)`, [hostile]);
  await db.pool.query(`UPDATE "we""ird"."ta ble; --" SET "v'); DROP TABLE people; --" = 'plain', "$$" = 'x'`);
  const upd = await lastEvent(db);
  const p = await preview(db, one(upd.id));
  assert.ok(canRun(p, false), p.blocked.join('; '));
  const { text, values } = p.views[0].step.statement;
  assert.ok(text.startsWith(`UPDATE "we""ird"."ta ble; --" AS t\n   SET "v'); DROP TABLE people; --" = v."v'); DROP TABLE people; --", "$$" = v."$$"\n`), text);
  assert.not.match(text, /DROP TABLE people; -- \$\$/, 'the value is not in the text');
  assert.ok(values[0].includes('DROP TABLE people'), 'it is a parameter');
  await revert(db, one(upd.id));
  const row = (await db.pool.query(`SELECT * FROM "we""ird"."ta ble; --"`)).rows[0];
  assert.equal(row, { 'k "ey': 1, "v'); DROP TABLE people; --": hostile, $$: hostile });
  assert.ok((await db.pool.query(`SELECT to_regclass('public.people') AS t`)).rows[0].t, 'people is still there');
});

t('a transaction of more than 1000 events is refused, saying why, before anything is checked row by row', async ({ db }) => {
  await db.pool.query(`CREATE TABLE bulk (id int PRIMARY KEY)`);
  await enableAudit(db.pool, { schema: 'public', table: 'bulk' }, {});
  await db.pool.query(`INSERT INTO bulk SELECT generate_series(1, 1001)`);
  const big = await lastEvent(db, `target_type = 'public.bulk'`);
  await refusedWith(db, tx(big.tx_id), /recorded more than 1000 events; a revert takes on at most 1000/);
  await db.pool.query(`DELETE FROM bulk WHERE id > 1000`);
  await db.pool.query(`INSERT INTO bulk SELECT generate_series(1001, 2000)`);
  const most = await lastEvent(db, `target_type = 'public.bulk'`);
  assert.ok(canRun(await preview(db, tx(most.tx_id)), false), 'control: 1000 are taken on');
});

t('nothing is ever half-reverted: when the last statement fails, nothing changed and no revert event exists', async ({ db }) => {
  const a = await insertPerson(db, 'a1@example.com');
  const b = await insertPerson(db, 'b1@example.com');
  const txId = await withAuditContext(db.pool, APP, async (c) => {
    await c.query(`UPDATE people SET balance = 5 WHERE id = $1`, [a]);
    await c.query(`UPDATE people SET name = 'changed' WHERE id = $1`, [b]);
    return (await c.query('SELECT txid_current()::text AS tx')).rows[0].tx;
  });
  // The revert undoes b first (fine), then a — whose old balance the new rule forbids.
  await db.pool.query(`ALTER TABLE people ADD CONSTRAINT small_balance CHECK (balance < 1000) NOT VALID`);
  const rowEvents = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE target_type = 'public.people'`)).rows[0].n;
  const eventsBefore = await rowEvents();
  try {
    await revert(db, tx(txId));
    assert.unreachable('ran');
  } catch (error) {
    assert.instance(error, RevertFailed);
    assert.match((error as Error).message, /nothing was changed: .*small_balance/);
  } finally {
    await db.pool.query(`ALTER TABLE people DROP CONSTRAINT small_balance`);
  }
  assert.is((await person(db, b)).name, 'changed', 'the first statement was rolled back');
  assert.is((await person(db, a)).balance, '5');
  assert.is(await rowEvents(), eventsBefore, 'no revert event');
  // Control: without the rule the same revert runs.
  await revert(db, tx(txId));
  assert.is((await person(db, b)).name, 'Maya');
});

t.run();
