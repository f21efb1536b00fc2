// The embedded demo can revert from its first look: `npm start` makes a NOLOGIN role limited to
// schema demo (src/revert/demo-role.ts) and the console's revert pool switches to it. Here: that
// role re-creates a deleted demo contact as the admin, refuses the demo's own deleted contact whose
// secret is redacted, and can neither write the audit trail nor read the console's tables.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { withAuditContext } from '../src/audit/context.ts';
import { installDemo, makeDemoChanges } from '../src/demo/seed.ts';
import { DEMO_REVERT_ROLE, ensureDemoRevertRole } from '../src/revert/demo-role.ts';
import { createRevertPool } from '../src/revert/pool.ts';
import { buildPreview, canRun } from '../src/revert/preview.ts';
import { runRevert } from '../src/revert/run.ts';
import { createTestDatabase, withAdmin, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase; revert: pg.Pool }>('revert-demo');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('revert_demo');
  await installDemo(ctx.db.pool);
  await makeDemoChanges(ctx.db.pool);
  await ensureDemoRevertRole(ctx.db.pool);
  await ensureDemoRevertRole(ctx.db.pool); // idempotent, as on every start
  ctx.revert = createRevertPool(ctx.db.url, DEMO_REVERT_ROLE);
});
t.after(async (ctx) => {
  await ctx.revert?.end();
  await ctx.db?.drop();
  await withAdmin((c) => c.query(`DROP ROLE IF EXISTS ${DEMO_REVERT_ROLE}`));
});

const ADMIN = { actorType: 'user', actorId: '1', actorName: 'admin@example.com' } as const;

t('the demo role re-creates a deleted contact (identity key given back), recorded as the admin', async ({ db, revert }) => {
  assert.is((await revert.query('SELECT current_user AS r')).rows[0].r, DEMO_REVERT_ROLE);
  const id = await withAuditContext(db.pool, { actorType: 'user', actorId: '42' }, async (c) => {
    const made = (await c.query(`INSERT INTO demo.contacts (email, name, tags) VALUES ('maya@example.com', 'Maya Okafor', '{vip}') RETURNING id::text`)).rows[0].id;
    await c.query(`DELETE FROM demo.contacts WHERE id = $1`, [made]);
    return made;
  });
  const del = (await db.pool.query(`SELECT id::text FROM audit.events WHERE target_type = 'demo.contacts' AND target_id = $1 AND action = 'delete'`, [id])).rows[0].id;
  const preview = (await buildPreview(db.pool, revert, { kind: 'event', id: del }))!;
  assert.ok(canRun(preview, false), preview.blocked.join('; '));
  assert.equal(preview.views[0].step.defaulted, ['password_hash'], 'excluded, so never recorded');
  const client = await revert.connect();
  try {
    await runRevert(client, preview, { override: false, actor: ADMIN });
  } finally {
    client.release();
  }
  const back = (await db.pool.query(`SELECT email, name, tags FROM demo.contacts WHERE id = $1`, [id])).rows[0];
  assert.equal(back, { email: 'maya@example.com', name: 'Maya Okafor', tags: ['vip'] });
  const e = (await db.pool.query(`SELECT action, actor_name, metadata FROM audit.events WHERE metadata ->> 'reverts' = $1`, [del])).rows[0];
  assert.equal(e, { action: 'insert', actor_name: 'admin@example.com', metadata: { reverts: Number(del) } });
});

t('the demo\'s own deleted contact held a redacted secret: refused, saying so', async ({ db, revert }) => {
  const del = (await db.pool.query(`SELECT id::text FROM audit.events WHERE target_type = 'demo.contacts' AND action = 'delete' AND app_name = 'psql'`)).rows[0].id;
  const preview = (await buildPreview(db.pool, revert, { kind: 'event', id: del }))!;
  assert.match(preview.blocked.join('\n'), /"api_secret" is recorded as \[redacted\], so its value is unknown/);
});

t('the demo role writes schema demo only: not the audit trail, not the console tables', async ({ revert }) => {
  const denied = async (sql: string) => revert.query(sql).then(() => 'allowed', (e: Error) => e.message);
  assert.match(await denied(`DELETE FROM audit.events`), /permission denied/);
  assert.match(await denied(`SELECT 1 FROM console.users`), /permission denied/);
  assert.match(await denied(`UPDATE audit.audited_tables SET options = '{}'`), /permission denied/);
  assert.is(await denied(`UPDATE demo.campaigns SET title = title WHERE false`), 'allowed', 'control');
});

t.run();
