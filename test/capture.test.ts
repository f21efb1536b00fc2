// Every row change on an audited table yields exactly one event with the right data.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { enableAudit } from '../src/audit/enable.ts';
import { parseQualifiedName } from '../src/db/sql.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { eventsFor } from './helpers/events.ts';

const t = suite<{ db: TestDatabase }>('capture');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('capture');
});
t.after(async (ctx) => ctx.db?.drop());

async function audited(db: TestDatabase, ddl: string, table: string, options = {}) {
  await db.pool.query(ddl);
  await enableAudit(db.pool, parseQualifiedName(table), options);
}

t('insert, update, delete: one event per affected row, with old/new data, changed fields and tx id', async ({ db }) => {
  await audited(db, `CREATE TABLE items (id int PRIMARY KEY, name text, qty int)`, 'public.items');
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO items VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)`);
    const { rows } = await client.query(`SELECT txid_current()::text AS tx`);
    await client.query('COMMIT');
    await client.query(`UPDATE items SET qty = qty + 10 WHERE id <= 2`);
    await client.query(`DELETE FROM items WHERE id = 3`);

    const events = await eventsFor(client, 'public.items');
    assert.equal(events.map((e) => `${e.action}:${e.target_id}`), ['insert:1', 'insert:2', 'insert:3', 'update:1', 'update:2', 'delete:3']);
    assert.ok(events.slice(0, 3).every((e) => e.tx_id === rows[0].tx), 'inserts carry their transaction id');
    assert.equal(events[0].new_data, { id: 1, name: 'a', qty: 1 });
    assert.is(events[0].old_data, null);
    assert.equal(events[3].old_data, { qty: 1 }, 'an update keeps the previous values of the changed columns');
    assert.equal(events[3].new_data, { id: 1, name: 'a', qty: 11 });
    assert.equal({ ...events[3].new_data, ...events[3].old_data }, { id: 1, name: 'a', qty: 1 }, 'new_data || old_data is the full before-image');
    assert.equal(events[3].changed_fields, ['qty']);
    assert.equal(events[5].old_data, { id: 3, name: 'c', qty: 3 });
    assert.is(events[5].new_data, null);
    assert.ok(events[3].tx_id !== events[5].tx_id, 'separate statements outside a transaction get separate tx ids');
  } finally {
    client.release();
  }
});

t('truncate yields exactly one event', async ({ db }) => {
  await audited(db, `CREATE TABLE logs (id int PRIMARY KEY)`, 'public.logs');
  await db.pool.query(`INSERT INTO logs SELECT generate_series(1, 50)`);
  await db.pool.query(`TRUNCATE logs`);
  const events = (await eventsFor(db.pool, 'public.logs')).filter((e) => e.action === 'truncate');
  assert.is(events.length, 1);
  assert.is(events[0].target_id, null);
});

t('multi-row statements: 1,000 rows updated → 1,000 correctly paired events', async ({ db }) => {
  await audited(db, `CREATE TABLE bulk (id int PRIMARY KEY, v int)`, 'public.bulk');
  await db.pool.query(`INSERT INTO bulk SELECT g, g FROM generate_series(1, 1000) g`);
  await db.pool.query(`UPDATE bulk SET v = v * 2`);
  const { rows } = await db.pool.query(`
    SELECT count(*)::int AS n,
           count(*) FILTER (WHERE ((new_data || old_data)->>'id') = target_id AND (new_data->>'v')::int = 2 * (old_data->>'v')::int)::int AS paired
      FROM audit.events WHERE target_type = 'public.bulk' AND action = 'update'`);
  assert.equal(rows[0], { n: 1000, paired: 1000 });
});

t('INSERT … ON CONFLICT DO UPDATE records the insert and the update', async ({ db }) => {
  await audited(db, `CREATE TABLE kv (k text PRIMARY KEY, v int)`, 'public.kv');
  await db.pool.query(`INSERT INTO kv VALUES ('a', 1)`);
  await db.pool.query(`INSERT INTO kv VALUES ('a', 2), ('b', 3) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`);
  const events = await eventsFor(db.pool, 'public.kv');
  assert.equal(events.map((e) => `${e.action}:${e.target_id}`).sort(), ['insert:a', 'insert:b', 'update:a']);
  const update = events.find((e) => e.action === 'update')!;
  assert.equal([update.old_data, update.new_data], [{ v: 1 }, { k: 'a', v: 2 }]);
});

t('MERGE records its inserts, updates and deletes', async ({ db }) => {
  await audited(db, `CREATE TABLE stock (sku text PRIMARY KEY, qty int)`, 'public.stock');
  await db.pool.query(`INSERT INTO stock VALUES ('keep', 1), ('gone', 1), ('same', 5)`);
  await db.pool.query(`
    MERGE INTO stock s
    USING (VALUES ('keep', 9), ('gone', 0), ('new', 4)) AS src(sku, qty) ON s.sku = src.sku
    WHEN MATCHED AND src.qty = 0 THEN DELETE
    WHEN MATCHED THEN UPDATE SET qty = src.qty
    WHEN NOT MATCHED THEN INSERT VALUES (src.sku, src.qty)`);
  const events = (await eventsFor(db.pool, 'public.stock')).slice(3);
  assert.equal(events.map((e) => `${e.action}:${e.target_id}`).sort(), ['delete:gone', 'insert:new', 'update:keep']);
  const update = events.find((e) => e.action === 'update')!;
  assert.equal([update.old_data?.qty, update.new_data?.qty], [1, 9]);
});

t('updates that change the primary key pair old and new rows correctly', async ({ db }) => {
  await audited(db, `CREATE TABLE pk (id int PRIMARY KEY, label text)`, 'public.pk');
  await db.pool.query(`INSERT INTO pk SELECT g, 'row ' || g FROM generate_series(1, 200) g`);
  // Shift every key: a join on the key would pair row 1's old version with row 0's new one.
  await db.pool.query(`UPDATE pk SET id = id + 1000, label = label || '!'`);
  const updates = (await eventsFor(db.pool, 'public.pk')).filter((e) => e.action === 'update');
  assert.is(updates.length, 200);
  for (const e of updates) {
    const oldId = e.old_data!.id as number;
    assert.is(e.new_data!.id, oldId + 1000);
    assert.is(e.new_data!.label, `${e.old_data!.label}!`);
    assert.is(e.target_id, String(oldId + 1000));
    assert.equal(e.metadata, { old_target_id: String(oldId) });
    assert.equal(e.changed_fields, ['id', 'label']);
  }
});

t('composite keys: target_id is a JSON array of the key values in key order', async ({ db }) => {
  await audited(db, `CREATE TABLE member (org_id int, region text, user_id int, role text, PRIMARY KEY (region, org_id, user_id))`, 'public.member');
  await db.pool.query(`INSERT INTO member VALUES (42, 'eu', 7, 'admin')`);
  await db.pool.query(`UPDATE member SET region = 'us'`);
  const events = await eventsFor(db.pool, 'public.member');
  assert.is(events[0].target_id, '["eu", 42, 7]');
  assert.is(events[1].target_id, '["us", 42, 7]');
  assert.equal(events[1].metadata, { old_target_id: '["eu", 42, 7]' });
});

t('tables without a primary key: target_id is NULL, or the --key columns when given', async ({ db }) => {
  await audited(db, `CREATE TABLE nokey (a int, b text)`, 'public.nokey');
  await audited(db, `CREATE TABLE withkey (code text NOT NULL UNIQUE, b text)`, 'public.withkey', { key: ['code'] });
  await db.pool.query(`INSERT INTO nokey VALUES (1, 'x'), (1, 'x')`);
  await db.pool.query(`UPDATE nokey SET b = 'y'`);
  await db.pool.query(`INSERT INTO withkey VALUES ('C-1', 'x')`);
  const nokey = await eventsFor(db.pool, 'public.nokey');
  assert.is(nokey.length, 4, 'identical rows still give one event each');
  assert.ok(nokey.every((e) => e.target_id === null));
  assert.ok(nokey.filter((e) => e.action === 'update').every((e) => e.new_data!.b === 'y' && e.old_data!.b === 'x'));
  assert.is((await eventsFor(db.pool, 'public.withkey'))[0].target_id, 'C-1');
});

t('partitioned audited tables: rows in every partition, and rows moving between partitions', async ({ db }) => {
  await db.pool.query(`
    CREATE TABLE orders (id int, region text, total numeric, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
    CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');
    CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');`);
  await enableAudit(db.pool, parseQualifiedName('public.orders'), {});
  await db.pool.query(`INSERT INTO orders VALUES (1, 'eu', 10), (2, 'us', 20)`);
  await db.pool.query(`UPDATE orders SET region = 'us', total = 11 WHERE id = 1`);  // moves partition
  await db.pool.query(`DELETE FROM orders_us WHERE id = 2`);                          // through a partition
  await db.pool.query(`CREATE TABLE orders_apac PARTITION OF orders FOR VALUES IN ('apac')`);
  const { auditStatus } = await import('../src/audit/status.ts');
  const state = (await auditStatus(db.pool)).find((s) => s.table === 'public.orders')!;
  assert.is(state.state, 'outdated', 'a partition added later has no triggers yet: status says so');
  const events = await eventsFor(db.pool, 'public.orders');
  assert.equal(events.map((e) => `${e.action}:${e.target_id}`), ['insert:[1, "eu"]', 'insert:[2, "us"]', 'update:[1, "us"]', 'delete:[2, "us"]']);
  assert.equal([events[2].old_data, events[2].new_data], [{ region: 'eu', total: 10 }, { id: 1, region: 'us', total: 11 }]);
  try {
    await enableAudit(db.pool, parseQualifiedName('public.orders_eu'), {});
    assert.unreachable('auditing a partition directly must be refused');
  } catch (error) {
    assert.match((error as Error).message, /partition; audit its partitioned parent/);
  }
});

t('hostile identifiers: quotes, spaces, mixed case, unicode, 63-byte names, other schemas', async ({ db }) => {
  const schema = 'Sales "EU" ü';
  const tail = 'Ünïcode "t"';
  const table = 'x'.repeat(63 - Buffer.byteLength(tail)) + tail; // the 63-byte limit, counted in bytes
  assert.is(Buffer.byteLength(table), 63);
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  await db.pool.query(`CREATE SCHEMA ${q(schema)}`);
  await db.pool.query(`CREATE TABLE ${q(schema)}.${q(table)} (${q('Weird "Col"')} int PRIMARY KEY, ${q('select')} text, ${q('n')} int)`);
  await enableAudit(db.pool, { schema, table }, { exclude: ['select'] });
  await db.pool.query(`INSERT INTO ${q(schema)}.${q(table)} VALUES (1, 'secret', 5)`);
  await db.pool.query(`UPDATE ${q(schema)}.${q(table)} SET ${q('n')} = 6`);
  const events = await eventsFor(db.pool, `${schema}.${table}`);
  assert.equal(events.map((e) => e.action), ['insert', 'update']);
  assert.equal(events[0].new_data, { 'Weird "Col"': 1, n: 5 });
  assert.equal(events[1].changed_fields, ['n']);
  const parsed = parseQualifiedName(`${q(schema)}.${q(table)}`);
  assert.equal(parsed, { schema, table });
});

t.run();
