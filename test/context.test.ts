// Who is acting: set_context, defaults, validation, withAuditContext, log_event, status counts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { enableAudit } from '../src/audit/enable.ts';
import { auditStatus } from '../src/audit/status.ts';
import { withAuditContext } from '../src/audit/context.ts';
import { SqlState } from '../src/db/errors.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { eventsFor } from './helpers/events.ts';

const t = suite<{ db: TestDatabase; single: pg.Pool }>('context');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('context');
  await ctx.db.pool.query(`CREATE TABLE notes (id serial PRIMARY KEY, body text)`);
  await enableAudit(ctx.db.pool, { schema: 'public', table: 'notes' }, {});
  // One connection, so "the next transaction" surely reuses it.
  ctx.single = new pg.Pool({ connectionString: ctx.db.url, max: 1, application_name: 'ctx-test' });
  ctx.single.on('error', () => {}); // as the test database's pool: see test/helpers/database.ts
});
t.after(async (ctx) => {
  await ctx.single?.end();
  await ctx.db?.drop();
});

const fullContext = {
  actor_type: 'api_token', actor_id: 'tok_7', actor_name: 'nightly-sync',
  ip: '203.0.113.4', user_agent: 'curl/8.5', request_id: 'r-91',
};

t('set_context lands in every event of its transaction and not in the next one on the same connection', async ({ single }) => {
  const client = await single.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT audit.set_context($1)', [fullContext]);
    await client.query(`INSERT INTO notes (body) VALUES ('one'), ('two')`);
    await client.query(`UPDATE notes SET body = upper(body)`);
    await client.query('COMMIT');
    await client.query(`INSERT INTO notes (body) VALUES ('after')`);
  } finally {
    client.release();
  }
  const events = await eventsFor(single, 'public.notes');
  assert.is(events.length, 5);
  for (const e of events.slice(0, 4)) {
    assert.equal(
      [e.actor_type, e.actor_id, e.actor_name, e.ip, e.user_agent, e.request_id],
      ['api_token', 'tok_7', 'nightly-sync', '203.0.113.4', 'curl/8.5', 'r-91'],
    );
  }
  const next = events[4];
  assert.is(next.actor_type, 'db_role', 'the next transaction on the pooled connection has no context');
  assert.is(next.actor_id, 'postgres');
  assert.is(next.ip, '127.0.0.1', 'without context, ip is the client address');
  assert.is(next.app_name, 'ctx-test');
  assert.is(next.db_user, 'postgres');
});

t('withAuditContext commits with the context, and rolls back business and audit rows on error', async ({ db }) => {
  const ctx = { actorType: 'user', actorId: 42, actorName: 'aisha@example.com', ip: '2001:db8::1', userAgent: 'Firefox' } as const;
  await withAuditContext(db.pool, ctx, (c) => c.query(`INSERT INTO notes (body) VALUES ('by aisha')`));
  const failed = await withAuditContext(db.pool, ctx, async (c) => {
    await c.query(`INSERT INTO notes (body) VALUES ('never')`);
    throw new Error('boom');
  }).then(() => null, (e: Error) => e);
  assert.is(failed?.message, 'boom', 'withAuditContext rethrows the callback\'s error');
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM notes WHERE body = 'never'`);
  assert.is(rows[0].n, 0, 'the business row was rolled back');
  const events = (await eventsFor(db.pool, 'public.notes')).filter((e) => e.actor_id === '42');
  assert.is(events.length, 1);
  assert.equal([events[0].actor_type, events[0].actor_name, events[0].ip, events[0].user_agent], ['user', 'aisha@example.com', '2001:db8::1', 'Firefox']);
});

t('context metadata is copied into each event', async ({ db }) => {
  await withAuditContext(db.pool, { actorType: 'system', actorId: 'cron', metadata: { job: 'nightly' } },
    (c) => c.query(`INSERT INTO notes (body) VALUES ('cron')`));
  const last = (await eventsFor(db.pool, 'public.notes')).at(-1)!;
  assert.equal(last.metadata, { job: 'nightly' });
});

const invalid: Array<[string, unknown, RegExp]> = [
  ['unknown actor_type', { actor_type: 'robot' }, /"actor_type" must be one of user, api_token, system, db_role/],
  ['missing actor_type', { actor_id: '1' }, /"actor_type" is required/],
  ['ip that is not an address', { actor_type: 'user', ip: 'not-an-ip' }, /"ip" is not an IP address/],
  ['oversized value', { actor_type: 'user', user_agent: 'x'.repeat(5000) }, /"user_agent" is longer than 1024 bytes/],
  ['unknown key', { actor_type: 'user', actr_id: '1' }, /unknown key "actr_id"/],
  ['non-object', ['user'], /must be a JSON object/],
  ['nested value', { actor_type: 'user', actor_id: { id: 1 } }, /"actor_id" must be a string/],
];

for (const [name, value, message] of invalid) {
  t(`set_context refuses ${name} with an error naming the key, and the write does not happen`, async ({ db }) => {
    const client = await db.pool.connect();
    const before = (await eventsFor(client, 'public.notes')).length;
    try {
      await client.query('BEGIN');
      await client.query('SELECT audit.set_context($1::jsonb)', [JSON.stringify(value)]);
      assert.unreachable('set_context should have failed');
    } catch (error) {
      assert.match((error as Error).message, message);
      const aborted = await client.query(`INSERT INTO notes (body) VALUES ('x')`).then(() => null, (e: { code?: string }) => e.code);
      assert.is(aborted, SqlState.inFailedSqlTransaction, 'the transaction is aborted: the write cannot happen');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    assert.is((await eventsFor(db.pool, 'public.notes')).length, before);
  });
}

t('a pgtrail.context set by hand that is not valid fails the write instead of logging garbage', async ({ db }) => {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('pgtrail.context', '{"actor_type":"user","ip":"nope"}', true)`);
    await client.query(`INSERT INTO notes (body) VALUES ('x')`);
    assert.unreachable('insert should fail');
  } catch (error) {
    assert.match((error as Error).message, /invalid input syntax for type inet/);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
});

t('log_event records application events with the context; bad actions are refused', async ({ db }) => {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT audit.set_context($1)', [{ actor_type: 'user', actor_id: '42', ip: '198.51.100.7' }]);
    const { rows } = await client.query(`SELECT audit.log_event('auth.sign_in', 'user', '42', '{"method":"password"}') AS id`);
    await client.query('COMMIT');
    const event = (await client.query('SELECT * FROM audit.events WHERE id = $1', [rows[0].id])).rows[0];
    assert.equal(
      [event.action, event.target_type, event.target_id, event.actor_id, event.ip, event.metadata],
      ['auth.sign_in', 'user', '42', '42', '198.51.100.7', { method: 'password' }],
    );
    for (const action of ['insert', 'Auth.SignIn', 'auth.', "x'; drop table", '']) {
      await client.query(`SELECT audit.log_event($1, 'user', '1', NULL)`, [action]).then(
        () => assert.unreachable(`action ${JSON.stringify(action)} accepted`),
        (error) => assert.match(error.message, /noun\.verb/),
      );
    }
  } finally {
    client.release();
  }
});

t('status counts recent events that arrived without application context', async ({ db }) => {
  const notes = (await auditStatus(db.pool)).find((s) => s.table === 'public.notes')!;
  const { rows } = await db.pool.query(`
    SELECT count(*)::int AS total, count(*) FILTER (WHERE actor_type = 'db_role')::int AS bare
      FROM audit.events WHERE target_type = 'public.notes'`);
  assert.ok(rows[0].bare > 0 && rows[0].bare < rows[0].total);
  assert.is(notes.events_24h, rows[0].total);
  assert.is(notes.events_24h_without_context, rows[0].bare);
});

t.run();
