// A table audited with template v2 after migration 0012: its trigger keeps recording (NULL label
// and verb) and status says outdated until `pgtrail enable` installs v3. The upgrade is recorded
// as audit.enable (outcome updated), not as an option change: the stored options are the same.
// Events before and after read the same; declaring a label afterwards is an option change.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { enableAudit } from '../src/audit/enable.ts';
import { auditStatus } from '../src/audit/status.ts';
import { CONTACTS, contactsDatabase, frozenEnableSql } from './helpers/contacts.ts';
import type { TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('upgrade-v2');
const contacts = CONTACTS;
// The v2 enable script exactly as pgtrail rendered it for this table.
const V2_SQL = frozenEnableSql(2);

t.before(async (ctx) => {
  ctx.db = await contactsDatabase('upgrade_v2');
});
t.after(async (ctx) => ctx.db?.drop());

async function story(db: TestDatabase, id: number): Promise<void> {
  await db.pool.query(`INSERT INTO contacts VALUES ($1, 'a@example.com', 'h', 's', '{"tags": ["x"]}', '\\x01', '2026-11-30 10:00Z')`, [id]);
  await db.pool.query(`UPDATE contacts SET email = 'b@example.com' WHERE id = $1`, [id]);
  await db.pool.query(`DELETE FROM contacts WHERE id = $1`, [id]);
}

t('v2 table: records with NULL label and verb, outdated until enable, then v3; the upgrade is not an option change', async ({ db }) => {
  await db.pool.query(V2_SQL);
  let state = (await auditStatus(db.pool)).find((s) => s.table === 'public.contacts');
  assert.is(state?.state, 'outdated');
  assert.match(state!.reason!, /installed from template v2, current is v3/);
  await story(db, 1);

  const stored = (await db.pool.query(`SELECT options FROM audit.audited_tables`)).rows[0].options;
  assert.is((await enableAudit(db.pool, contacts, stored)).outcome, 'updated');
  state = (await auditStatus(db.pool)).find((s) => s.table === 'public.contacts');
  assert.is(state?.state, 'current');
  assert.is(state?.template_version, 3);
  assert.equal((await db.pool.query(`SELECT options FROM audit.audited_tables`)).rows[0].options, stored, 'stored options unchanged');
  const { rows: recorded } = await db.pool.query(`SELECT action, metadata->>'outcome' AS outcome FROM audit.events WHERE target_type = 'audit.audited_tables' ORDER BY id`);
  assert.equal(recorded.map((r) => `${r.action} ${r.outcome}`), ['audit.enable created', 'audit.enable updated']);
  await story(db, 2);

  const { rows } = await db.pool.query(`SELECT action, target_id, old_data, new_data, changed_fields, metadata, target_label, verb
                                          FROM audit.events WHERE target_type = 'public.contacts' ORDER BY id`);
  assert.is(rows.length, 6);
  for (let i = 0; i < 3; i++) {
    const strip = (r: any) => ({ ...r, target_id: '<id>', old_data: r.old_data && { ...r.old_data, id: '<id>' }, new_data: r.new_data && { ...r.new_data, id: '<id>' } });
    assert.equal(strip(rows[i + 3]), strip(rows[i]), `${rows[i].action}: v2 and v3 record the same`);
    assert.is(rows[i].target_label, null);
    assert.is(rows[i].verb, null);
  }

  await enableAudit(db.pool, contacts, { ...stored, label: `email` }, true);
  const { rows: changes } = await db.pool.query(`SELECT action FROM audit.events WHERE target_type = 'audit.audited_tables' ORDER BY id DESC LIMIT 1`);
  assert.is(changes[0].action, 'audit.options_change', 'declaring a label is an option change');
  await db.pool.query(`INSERT INTO contacts VALUES (3, 'c@example.com', 'h', 's', NULL, NULL, NULL)`);
  const { rows: labelled } = await db.pool.query(`SELECT target_label FROM audit.events WHERE target_type = 'public.contacts' ORDER BY id DESC LIMIT 1`);
  assert.is(labelled[0].target_label, 'c@example.com');
});

t.run();
