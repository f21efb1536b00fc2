import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { migrate } from '../src/migrate.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('migrations');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('migrations', { migrated: false });
});
t.after(async (ctx) => ctx.db?.drop());

/** Every shipped migration, in order (the list grows with each release). */
async function shippedMigrations(): Promise<string[]> {
  return (await readdir(fileURLToPath(new URL('../migrations', import.meta.url)))).map((f) => f.replace(/\.\w+$/, '')).sort();
}

async function schemaSnapshot(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query(`
    SELECT c.relkind::text || ' ' || c.relname AS o FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'audit'
    UNION ALL
    SELECT 'f ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'audit'
    ORDER BY 1`);
  return rows.map((r) => r.o);
}

t('up installs the audit schema, down removes it, up again gives the same schema', async ({ db }) => {
  const client = await db.pool.connect();
  try {
    const shipped = await shippedMigrations();
    assert.equal(shipped.slice(0, 2), ['0001_core', '0002_maintenance']);
    assert.equal(await migrate(client), shipped);
    const first = await schemaSnapshot(client);
    assert.ok(first.includes('p events'), 'audit.events is a partitioned table');
    assert.ok(first.includes('f set_context'));
    assert.ok(first.some((o) => /^r events_p\d{8}$/.test(o)), 'partitions were premade');

    assert.equal(await migrate(client, { direction: 'down' }), [...shipped].reverse());
    assert.equal(await schemaSnapshot(client), []);
    const { rows } = await client.query(`SELECT to_regnamespace('audit') AS s, to_regnamespace('console') AS c`);
    assert.is(rows[0].s, null);
    assert.is(rows[0].c, null, 'the console schema (0003) goes too');

    await migrate(client);
    assert.equal(await schemaSnapshot(client), first);
    assert.equal(await migrate(client), [], 'a second up has nothing to do');
  } finally {
    client.release();
  }
});

t('0007 puts a BRIN on id on every partition, new ones included; its down drops it', async ({ db }) => {
  const client = await db.pool.connect();
  try {
    await migrate(client);
    const brinOnId = async () => (await client.query(`
      SELECT count(*) FILTER (WHERE i.indexrelid IS NOT NULL)::int AS with_index, count(*)::int AS partitions
        FROM pg_inherits p
        LEFT JOIN (pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'brin')
          ON i.indrelid = p.inhrelid AND i.indkey::text = (SELECT attnum::text FROM pg_attribute WHERE attrelid = p.inhrelid AND attname = 'id')
       WHERE p.inhparent = 'audit.events'::regclass`)).rows[0];
    const { rows } = await client.query(`SELECT pg_get_indexdef('audit.events_id_brin_idx'::regclass) AS d, pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'audit.events_id_brin_idx'::regclass`);
    assert.is(rows[0].d, 'CREATE INDEX events_id_brin_idx ON ONLY audit.events USING brin (id)');
    assert.is(rows[0].owner, 'pgtrail_owner');
    await client.query(`SELECT audit.ensure_partition(timestamptz '2031-06-15Z')`);
    const on = await brinOnId();
    assert.ok(on.partitions > 2);
    assert.is(on.with_index, on.partitions, 'every partition, the default and a new one included');

    // Down past 0007 (the later ones come off first), then up again.
    const shipped = await shippedMigrations();
    const fromBrin = shipped.slice(shipped.indexOf('0007_id_brin'));
    assert.equal(await migrate(client, { direction: 'down', count: fromBrin.length }), [...fromBrin].reverse());
    assert.is((await client.query(`SELECT to_regclass('audit.events_id_brin_idx') AS i`)).rows[0].i, null);
    assert.is((await brinOnId()).with_index, 0, 'gone from the partitions too');
    assert.equal(await migrate(client), fromBrin);
    assert.is((await brinOnId()).with_index, on.partitions);
  } finally {
    client.release();
  }
});

t.run();
