// The audit log is append-only for real, shown with a non-superuser application role.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { enableAudit } from '../src/audit/enable.ts';
import { createTestDatabase, urlFor, type TestDatabase } from './helpers/database.ts';
import { refused } from './helpers/assertions.ts';

const t = suite<{ db: TestDatabase; app: pg.Client; role: string }>('append-only');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('append_only');
  ctx.role = `app_${randomBytes(3).toString('hex')}`;
  const password = 'app-secret';
  await ctx.db.pool.query(`CREATE ROLE ${ctx.role} LOGIN PASSWORD '${password}'`);
  await ctx.db.pool.query(`GRANT CREATE, USAGE ON SCHEMA public TO ${ctx.role}`);
  // The application role owns and writes the audited table, as in most deployments.
  await ctx.db.pool.query(`CREATE TABLE orders (id int PRIMARY KEY, total int); ALTER TABLE orders OWNER TO ${ctx.role}`);
  await enableAudit(ctx.db.pool, { schema: 'public', table: 'orders' }, {});
  const url = new URL(urlFor(ctx.db.name));
  url.username = ctx.role;
  url.password = password;
  ctx.app = new pg.Client({ connectionString: url.toString() });
  await ctx.app.connect();
});
t.after(async (ctx) => {
  await ctx.app?.end();
  await ctx.db?.drop();
  await ctx.db?.pool; // pool already ended by drop
  const admin = new pg.Client({ connectionString: urlFor('postgres') });
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS ${ctx.role}`).catch(() => {});
  await admin.end();
});

t('the application role writes its table and the events are recorded', async ({ app, db }) => {
  await app.query(`INSERT INTO orders VALUES (1, 10)`);
  await app.query(`UPDATE orders SET total = 11`);
  const { rows } = await db.pool.query(`SELECT action, db_user FROM audit.events WHERE target_type = 'public.orders' ORDER BY id`);
  assert.equal(rows.map((r) => r.action), ['insert', 'update']);
  assert.ok(rows.every((r) => r.db_user.startsWith('app_')));
});

t('the application role cannot INSERT, UPDATE, DELETE, TRUNCATE or read audit.events or its partitions', async ({ app, db }) => {
  const { rows } = await db.pool.query(`SELECT relname FROM pg_class WHERE relispartition AND relkind = 'r' AND relnamespace = 'audit'::regnamespace AND relname <> 'events_default' ORDER BY relname LIMIT 1`);
  for (const table of ['audit.events', `audit.${rows[0].relname}`, 'audit.events_default']) {
    await refused(app, `INSERT INTO ${table} (tx_id, action, target_type, actor_type, db_user) VALUES (1, 'x.y', 't', 'user', 'me')`, /permission denied/);
    await refused(app, `UPDATE ${table} SET action = 'forged'`, /permission denied/);
    await refused(app, `DELETE FROM ${table}`, /permission denied/);
    await refused(app, `TRUNCATE ${table}`, /permission denied/);
    await refused(app, `SELECT * FROM ${table}`, /permission denied/);
  }
  await refused(app, `UPDATE audit.audited_tables SET options = '{}'`, /permission denied/);
});

t('the application role cannot drop or detach the log, nor drop its own table\'s capture function', async ({ app, db }) => {
  const { rows } = await db.pool.query(`SELECT relname FROM pg_class WHERE relispartition AND relkind = 'r' AND relnamespace = 'audit'::regnamespace AND relname <> 'events_default' ORDER BY relname LIMIT 1`);
  await refused(app, `DROP TABLE audit.events`, /must be owner/);
  await refused(app, `DROP TABLE audit.${rows[0].relname}`, /must be owner/);
  await refused(app, `ALTER TABLE audit.events DETACH PARTITION audit.${rows[0].relname}`, /must be owner/);
  await refused(app, `DROP SCHEMA audit CASCADE`, /must be owner/);
  const fn = (await db.pool.query(`SELECT proname FROM pg_proc WHERE pronamespace = 'audit'::regnamespace AND proname LIKE 'capture_%'`)).rows[0].proname;
  await refused(app, `DROP FUNCTION audit.${fn}()`, /must be owner/);
  await refused(app, `SELECT audit.create_partition(now())`, /permission denied/);
});

t('only audit.log_event adds application events', async ({ app, db }) => {
  const { rows } = await app.query(`SELECT audit.log_event('broadcast.send', 'broadcast', '7', '{"recipients": 3}') AS id`);
  const event = (await db.pool.query('SELECT action, actor_type FROM audit.events WHERE id = $1', [rows[0].id])).rows[0];
  assert.equal(event, { action: 'broadcast.send', actor_type: 'db_role' });
});

t('even the owner of the audit schema cannot UPDATE, DELETE or TRUNCATE audit rows: the guard refuses', async ({ db }) => {
  const client = await db.pool.connect();
  try {
    // Superuser acting as the owner role: privileges allow it, the guard does not.
    await client.query('SET ROLE pgtrail_owner');
    await refused(client as unknown as pg.Client, `UPDATE audit.events SET action = 'forged'`, /append-only: UPDATE/);
    await refused(client as unknown as pg.Client, `DELETE FROM audit.events`, /append-only: DELETE/);
    await refused(client as unknown as pg.Client, `TRUNCATE audit.events`, /append-only: TRUNCATE/);
    await refused(client as unknown as pg.Client, `TRUNCATE audit.events_default`, /append-only: TRUNCATE/);
    const { rows } = await client.query(`SELECT relname FROM pg_class WHERE relispartition AND relkind = 'r' AND relnamespace = 'audit'::regnamespace AND relname <> 'events_default' LIMIT 1`);
    await refused(client as unknown as pg.Client, `TRUNCATE audit.${rows[0].relname}`, /append-only: TRUNCATE/);
  } finally {
    await client.query('RESET ROLE');
    client.release();
  }
});

t.run();
