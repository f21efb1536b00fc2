// Migration 0008: the actor-name index for prefix matching replaces 0005's equality-only one, on
// the partitioned table and every partition (premade, default, and those made later); its down
// brings 0005's index back the same way.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { migrate } from '../src/install/migrate.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('migration-actor-prefix');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('migration_actor_prefix', { migrated: false });
});
t.after(async (ctx) => ctx.db?.drop());

/** How many partitions of audit.events have an index attached to the given index on audit.events. */
async function onPartitions(client: pg.ClientBase, index: string): Promise<{ attached: number; partitions: number }> {
  const { rows } = await client.query(`
    SELECT (SELECT count(*)::int FROM pg_inherits WHERE inhparent = to_regclass($1)) AS attached,
           (SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'audit.events'::regclass) AS partitions`, [`audit.${index}`]);
  return rows[0];
}

const definition = async (client: pg.ClientBase, index: string) =>
  (await client.query(`SELECT pg_get_indexdef(to_regclass($1)) AS d, (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass($1)) AS owner`, [`audit.${index}`])).rows[0];

t('0008 puts lower(actor_name) text_pattern_ops on every partition, new ones included, and drops the 0005 index; its down reverses both', async ({ db }) => {
  const client = await db.pool.connect();
  try {
    const applied = await migrate(client);
    assert.ok(applied.includes('0008_actor_prefix'), applied.join());
    // 0008 and the migrations after it: down takes them off in reverse, up puts them back.
    const fromPrefix = applied.slice(applied.indexOf('0008_actor_prefix'));
    assert.equal(await definition(client, 'events_actor_name_prefix_idx'), {
      d: 'CREATE INDEX events_actor_name_prefix_idx ON ONLY audit.events USING btree (lower(actor_name) text_pattern_ops)',
      owner: 'pgtrail_owner',
    });
    assert.is((await definition(client, 'events_actor_name_idx')).d, null, '0005\'s index is gone');
    await client.query(`SELECT audit.ensure_partition(timestamptz '2031-06-15Z')`);
    const up = await onPartitions(client, 'events_actor_name_prefix_idx');
    assert.ok(up.partitions > 2, 'premade partitions, the default and the new one');
    assert.is(up.attached, up.partitions, 'every partition has it');
    assert.is((await onPartitions(client, 'events_actor_name_idx')).attached, 0);

    assert.equal(await migrate(client, { direction: 'down', count: fromPrefix.length }), [...fromPrefix].reverse());
    assert.is((await definition(client, 'events_actor_name_prefix_idx')).d, null);
    assert.equal(await definition(client, 'events_actor_name_idx'), {
      d: 'CREATE INDEX events_actor_name_idx ON ONLY audit.events USING btree (lower(actor_name))',
      owner: 'pgtrail_owner',
    });
    assert.is((await onPartitions(client, 'events_actor_name_idx')).attached, up.partitions, '0005\'s index back on every partition');
    const leftovers = await client.query(`SELECT count(*)::int AS n FROM pg_class WHERE relkind = 'i' AND relname LIKE '%actor_name_prefix%'`);
    assert.is(leftovers.rows[0].n, 0, 'no partition keeps the prefix index');

    assert.equal(await migrate(client), fromPrefix);
    assert.equal(await onPartitions(client, 'events_actor_name_prefix_idx'), up);
  } finally {
    client.release();
  }
});

t.run();
