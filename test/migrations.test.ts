import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FROZEN_SQL_DIR } from '../src/db/sql-files.ts';
import { migrate } from '../src/install/migrate.ts';
import { catalogDump } from './helpers/catalog.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('migrations');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('migrations', { migrated: false });
});
t.after(async (ctx) => ctx.db?.drop());

/** Every shipped migration, in order (the list grows with each release); migrations/sql/, the frozen SQL, is a folder, not one. */
async function shippedMigrations(): Promise<string[]> {
  const entries = await readdir(fileURLToPath(new URL('../migrations', import.meta.url)), { withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name.replace(/\.\w+$/, '')).sort();
}

t('up installs the audit schema, down removes it, up again gives the same schema', async ({ db }) => {
  const client = await db.pool.connect();
  try {
    const shipped = await shippedMigrations();
    assert.equal(shipped.slice(0, 2), ['0001_core', '0002_maintenance']);
    // The frozen SQL sits in the migrations folder too: the runner must take none of it for a migration.
    assert.ok(statSync(FROZEN_SQL_DIR).isDirectory() && FROZEN_SQL_DIR.startsWith(fileURLToPath(new URL('../migrations/', import.meta.url))));
    assert.equal(await migrate(client), shipped);
    const first = await catalogDump(client);
    assert.ok(first.some((l) => l.startsWith('relation audit.events kind=p')), 'audit.events is a partitioned table');
    assert.ok(first.some((l) => l.startsWith('function CREATE OR REPLACE FUNCTION audit.set_context(')));
    assert.ok(first.some((l) => /^relation audit\.events_p\d{8} kind=r .* bound=FOR VALUES FROM/.test(l)), 'partitions were premade');
    assert.ok(first.some((l) => /^trigger CREATE TRIGGER guard_truncate BEFORE TRUNCATE ON audit\.events_p\d{8}/.test(l)), 'the guard is on each partition');
    assert.ok(first.some((l) => /^column audit\.events\.id bigint not null default nextval/.test(l)));

    assert.equal(await migrate(client, { direction: 'down' }), [...shipped].reverse());
    assert.equal((await catalogDump(client)).filter((l) => !l.startsWith('role ')), [], 'nothing is left in the audit and console schemas');
    const { rows } = await client.query(`SELECT to_regnamespace('audit') AS s, to_regnamespace('console') AS c`);
    assert.is(rows[0].s, null);
    assert.is(rows[0].c, null, 'the console schema (0003) goes too');

    await migrate(client);
    assert.equal(await catalogDump(client), first, 'the whole catalog is the same: columns, defaults, function bodies, triggers, grants');
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

t('the catalog dump sees what a name list would miss: a function setting, a lost grant, a disabled trigger', async () => {
  const other = await createTestDatabase('catalog_dump');
  const client = await other.pool.connect();
  try {
    const changes = [
      `ALTER FUNCTION audit.current_context() SET work_mem = '1MB'`,
      'REVOKE SELECT ON audit.events FROM pgtrail_reader',
      'ALTER TABLE audit.events_default DISABLE TRIGGER guard_truncate',
    ];
    for (const change of changes) {
      const before = await catalogDump(client);
      await client.query(change);
      const after = await catalogDump(client);
      assert.not.equal(after, before, change);
    }
  } finally {
    client.release();
    await other.drop();
  }
});

t.run();
