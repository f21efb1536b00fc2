// A table audited with template v1 upgrades to the current template with `pgtrail migrate` +
// `pgtrail enable`: status says outdated until then, and events recorded before and after read
// the same through the API and both exports.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { enableAudit } from '../src/audit/enable.ts';
import { auditStatus } from '../src/audit/status.ts';
import { TEMPLATE_VERSION } from '../src/generator/render.ts';
import { createToken } from '../src/accounts/tokens.ts';
import { apiApp, bearer, consoleRolePool } from './helpers/api.ts';
import { parseCsv } from './helpers/csv.ts';
import { CONTACTS, contactsDatabase, frozenEnableSql } from './helpers/contacts.ts';
import type { TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase; api: pg.Pool }>('upgrade-v1');
const contacts = CONTACTS;
// The v1 enable script exactly as pgtrail 0.1 rendered it for this table.
const V1_SQL = frozenEnableSql(1);

t.before(async (ctx) => {
  ctx.db = await contactsDatabase('upgrade_v1');
  ctx.api = consoleRolePool(ctx.db.url);
});
t.after(async (ctx) => {
  await ctx.api?.end();
  await ctx.db?.drop();
});

/** The same story on one row: insert, update two columns (one ignored), delete. */
async function story(db: pg.Pool, id: number): Promise<void> {
  await db.query(`INSERT INTO contacts VALUES ($1, 'a@example.com', 'h', 's', '{"tags": ["x"]}', '\\x01', '2026-11-30 10:00Z')`, [id]);
  await db.query(`UPDATE contacts SET email = 'b@example.com', updated_at = '2026-11-30 11:00Z' WHERE id = $1`, [id]);
  await db.query(`DELETE FROM contacts WHERE id = $1`, [id]);
}

/** What an event says, less what differs between two recordings of the same story. */
function comparable(e: Record<string, any>) {
  const { id, occurred_at, tx_id, target_id, ...rest } = e;
  const strip = (d: Record<string, unknown> | null) => (d ? { ...d, id: '<id>' } : d);
  return { ...rest, old_data: rest.old_data && 'id' in rest.old_data ? strip(rest.old_data) : rest.old_data, new_data: strip(rest.new_data) };
}

t('v1 table: outdated until enable, then current; events before and after read the same in the API, CSV and JSON Lines', async ({ db, api }) => {
  await db.pool.query(V1_SQL);
  let state = (await auditStatus(db.pool)).find((s) => s.table === 'public.contacts');
  assert.is(state?.state, 'outdated');
  assert.match(state!.reason!, new RegExp(`installed from template v1, current is v${TEMPLATE_VERSION}`));
  await story(db.pool, 1);

  const stored = (await db.pool.query(`SELECT options FROM audit.audited_tables`)).rows[0].options;
  assert.is((await enableAudit(db.pool, contacts, stored)).outcome, 'updated', 'enable with the stored options (what `pgtrail enable t` does)');
  state = (await auditStatus(db.pool)).find((s) => s.table === 'public.contacts');
  assert.is(state?.state, 'current');
  assert.is(state?.template_version, TEMPLATE_VERSION);
  await story(db.pool, 2);

  const client = await db.pool.connect();
  const { token } = await createToken(client, 'upgrade', 'auditor');
  client.release();
  const app = apiApp({ pool: api, secret: 'upgrade-test-secret' });

  const res = await app.request('/api/v1/events?target_type=public.contacts&limit=50', bearer(token));
  assert.is(res.status, 200);
  const events = ((await res.json()) as { events: Array<Record<string, any>> }).events.reverse();
  assert.equal(events.map((e) => `${e.action} ${e.target_id}`), ['insert 1', 'update 1', 'delete 1', 'insert 2', 'update 2', 'delete 2']);
  for (let i = 0; i < 3; i++) assert.equal(comparable(events[i + 3]), comparable(events[i]), `${events[i].action}: v1 and v${TEMPLATE_VERSION} read the same`);
  assert.equal(events[1].changed_fields, ['email', 'updated_at']);
  assert.equal(events[1].old_data, { email: 'a@example.com', updated_at: '2026-11-30T10:00:00+00:00' });
  assert.is(events[0].new_data.api_secret, '[redacted]');
  assert.not.ok('password_hash' in events[0].new_data, 'excluded in both');

  const jsonl = await app.request('/api/v1/events.jsonl?target_type=public.contacts', bearer(token));
  const lines = (await jsonl.text()).trim().split('\n').map((l) => JSON.parse(l)).reverse();
  for (let i = 0; i < 3; i++) assert.equal(comparable(lines[i + 3]), comparable(lines[i]), `JSON Lines ${lines[i].action}`);

  const csv = parseCsv(await (await app.request('/api/v1/events.csv?target_type=public.contacts', bearer(token))).text());
  const [header, ...rows] = csv;
  const col = (name: string) => header.indexOf(name);
  rows.reverse();
  for (const name of ['action', 'changed_fields', 'actor_type', 'db_user']) {
    for (let i = 0; i < 3; i++) assert.is(rows[i + 3][col(name)], rows[i][col(name)], `CSV ${name}`);
  }
  for (let i = 0; i < 3; i++) {
    for (const name of ['old_data', 'new_data']) {
      const a = rows[i][col(name)] ? comparable({ new_data: JSON.parse(rows[i][col(name)]!) }) : null;
      const b = rows[i + 3][col(name)] ? comparable({ new_data: JSON.parse(rows[i + 3][col(name)]!) }) : null;
      assert.equal(b, a, `CSV ${name} of ${rows[i][col('action')]}`);
    }
  }
});

t.run();
