// The seal's canonical event form after migration 0012: an event without target_label and verb
// keeps form 1 byte for byte (seals made before the upgrade still verify), an event with either
// has form 2 (form 1's array with a leading 2 and [target_label, verb] appended), and both seal
// and verify; changing a sealed event's label or verb is detected.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSealKey } from '../src/integrity/keys.ts';
import { sealNow } from '../src/integrity/seal.ts';
import { registerKey } from '../src/integrity/store.ts';
import { verifyTrail } from '../src/integrity/verify.ts';
import { migrate } from '../src/install/migrate.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { tamper } from './helpers/tamper.ts';

const t = suite<{ db: TestDatabase }>('seal-labels');

t.after(async (ctx) => ctx.db?.drop());

// Form 1 exactly as migration 0010 defined it (migrations/sql/0010_seals/functions/event_digest.sql).
const FORM_1 = `pg_catalog.json_build_array(
    1, e.id, pg_catalog.to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.tx_id,
    e.action, e.target_type, e.target_id, e.actor_type, e.actor_id, e.actor_name, e.ip::text,
    e.user_agent, e.request_id, e.db_user, e.app_name, e.old_data, e.new_data, e.changed_fields, e.metadata)::text`;

t('a seal made before 0012 verifies after it; unlabelled events keep form 1, labelled ones have form 2; both seal and verify', async (ctx) => {
  const db = (ctx.db = await createTestDatabase('seal_labels', { migrated: false }));
  const client = await db.pool.connect();
  try {
    await migrate(client, { count: 11 });
    const key = generateSealKey();
    await registerKey(client, key);
    await client.query(`SELECT audit.log_event('test.before', 'test', g::text, jsonb_build_object('n', g)) FROM generate_series(1, 3) AS g`);
    const { rows: before } = await client.query(`SELECT id, audit.event_form(e) AS form FROM audit.events AS e ORDER BY id`);
    assert.ok((await sealNow(client, key)).sealed, 'sealed before the upgrade');

    await migrate(client);
    const { rows: after } = await client.query(`SELECT id, audit.event_form(e) AS form FROM audit.events AS e WHERE id = ANY($1::bigint[]) ORDER BY id`, [before.map((r) => r.id)]);
    assert.equal(after, before, 'the same events give the same form, byte for byte');

    await client.query(`CREATE TABLE tasks (id int PRIMARY KEY, title text, done boolean)`);
    await client.query(`SELECT audit.log_event('test.plain', 'test', '9')`);
    await client.query(`SELECT audit.log_event('task.close', 'task', '1', NULL, 'Task: "write" \\ test ✓')`);
    await client.query(`INSERT INTO audit.events (tx_id, action, target_type, target_id, actor_type, db_user, verb)
                        VALUES (txid_current(), 'update', 'public.tasks', '1', 'db_role', current_user, 'close')`);
    const { rows: forms } = await client.query(`SELECT audit.event_form(e) AS form, ${FORM_1} AS form1, target_label, verb
                                                  FROM audit.events AS e ORDER BY id`);
    for (const f of forms.filter((r) => r.target_label === null && r.verb === null)) assert.is(f.form, f.form1);
    const labelled = forms.filter((r) => r.target_label !== null || r.verb !== null);
    assert.is(labelled.length, 2);
    for (const f of labelled) {
      const parsed = JSON.parse(f.form);
      assert.is(parsed[0], 2, 'form 2');
      assert.equal(parsed.slice(1, 19), JSON.parse(f.form1).slice(1), 'form 1 fields in form 1 order');
      assert.equal(parsed.slice(19), [f.target_label, f.verb], 'then target_label, verb');
    }
    assert.ok((await sealNow(client, key)).sealed, 'sealed after the upgrade');
    const report = await verifyTrail(client, {});
    assert.equal(report.findings, []);
    assert.is(report.seals, 2);

    // Changing what form 2 adds is detected (the positive control above verifies).
    await tamper(client, 'audit.events', async (c) => {
      await c.query(`UPDATE audit.events SET target_label = 'Task: something else' WHERE action = 'task.close'`);
      await c.query(`UPDATE audit.events SET verb = 'reopen' WHERE verb = 'close'`);
    });
    const tampered = await verifyTrail(client, {});
    assert.is(tampered.ok, false);
    assert.is(tampered.findings.length >= 1, true, JSON.stringify(tampered.findings));
    // Ids come as ranges `a-b` (a single id as `a`).
    const named = tampered.findings.flatMap((f) => f.ids ?? []).flatMap((r) => {
      const [a, b = a] = r.split('-').map(Number);
      return Array.from({ length: b - a + 1 }, (_, i) => String(a + i));
    });
    const { rows: victims } = await client.query(`SELECT id::text FROM audit.events WHERE target_label = 'Task: something else' OR verb = 'reopen' ORDER BY id`);
    assert.equal(named.sort(), victims.map((r: { id: string }) => r.id).sort(), 'verify names exactly the changed events');
    assert.ok(tampered.findings.every((f) => f.kind === 'altered'), JSON.stringify(tampered.findings));
  } finally {
    client.release();
  }
});

t.run();
