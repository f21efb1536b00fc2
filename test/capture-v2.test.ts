// Template v2: row images that do not depend on the writer's session settings, capture that was
// switched off is shown as disabled, --on-replica fires where session_replication_role = replica,
// and an UPDATE that leaves an oversized TOASTed value alone does not read or hash it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { enableAudit } from '../src/audit/enable.ts';
import { auditStatus } from '../src/audit/status.ts';
import { CANONICAL_SETTINGS } from '../src/generator/canonical.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { eventsFor } from './helpers/events.ts';

const t = suite<{ db: TestDatabase }>('capture-v2');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('capture_v2');
});
t.after(async (ctx) => ctx.db?.drop());

async function stateOf(db: TestDatabase, table: string) {
  return (await auditStatus(db.pool)).find((s) => s.table === table);
}

// Every setting that changes how to_jsonb or ::text renders a value, far from the defaults.
const HOSTILE = [
  `SET TimeZone = 'Asia/Kathmandu'`, `SET DateStyle = 'SQL, DMY'`, `SET IntervalStyle = 'sql_standard'`,
  `SET extra_float_digits = -10`, `SET bytea_output = 'escape'`,
];

t('row images are the same whatever the writing session’s TimeZone, DateStyle, IntervalStyle, extra_float_digits and bytea_output', async ({ db }) => {
  await db.pool.query(`CREATE TABLE readings (id int PRIMARY KEY, at timestamptz, span interval, ratio float8, small float4,
                         raw bytea, period tstzrange, price money, note text)`);
  await enableAudit(db.pool, { schema: 'public', table: 'readings' }, {});
  const values = `timestamptz '2026-12-01 12:00:00Z', interval '1 year 2 days 03:04:05.5', 0.1::float8 + 0.2::float8, 1.1::float4,
                  '\\xdeadbeef'::bytea, tstzrange('2026-12-01 00:00Z', '2026-12-02 00:00Z'), 12.34::money, 'x'`;
  const plain = new pg.Client({ connectionString: db.url });
  const hostile = new pg.Client({ connectionString: db.url });
  await plain.connect();
  await hostile.connect();
  try {
    await plain.query(`INSERT INTO readings VALUES (1, ${values})`);
    for (const set of HOSTILE) await hostile.query(set);
    await hostile.query(`INSERT INTO readings VALUES (2, ${values})`);
    await hostile.query(`UPDATE readings SET note = 'y'`);
  } finally {
    await plain.end();
    await hostile.end();
  }
  const events = await eventsFor(db.pool, 'public.readings');
  const inserts = events.filter((e) => e.action === 'insert').map((e) => ({ ...e.new_data, id: 0 }));
  assert.is(inserts.length, 2);
  assert.equal(inserts[1], inserts[0], 'the hostile writer recorded the same image');
  const image = inserts[0] as Record<string, unknown>;
  assert.is(image.at, '2026-12-01T12:00:00+00:00', 'timestamptz in UTC');
  assert.is(image.span, '1 year 2 days 03:04:05.5', 'interval in the postgres style');
  assert.is(image.ratio, 0.30000000000000004, 'float8 shortest exact, not rounded to fewer digits');
  assert.is(image.small, 1.1);
  assert.is(image.raw, '\\xdeadbeef', 'bytea as hex');
  assert.is(image.period, '["2026-12-01 00:00:00+00","2026-12-02 00:00:00+00")', 'ranges through ISO DateStyle, UTC');
  assert.is(image.price, '$12.34', 'money without a locale (lc_monetary C)');
  const updates = events.filter((e) => e.action === 'update');
  assert.is(updates.length, 2);
  for (const u of updates) {
    assert.equal(u.changed_fields, ['note'], 'no column looks changed because the writer renders it differently');
    assert.is((u.new_data as Record<string, unknown>).at, '2026-12-01T12:00:00+00:00');
  }
});

t('the capture function records what audit.current_context() says, with and without set_context', async ({ db }) => {
  await db.pool.query(`CREATE TABLE ctx_t (id int PRIMARY KEY)`);
  await enableAudit(db.pool, { schema: 'public', table: 'ctx_t' }, {});
  const client = await db.pool.connect();
  const fields = 'actor_type, actor_id, actor_name, ip, user_agent, request_id, db_user, app_name, metadata';
  try {
    const expected: unknown[] = [];
    for (const [id, context] of [[1, null], [2, { actor_type: 'user', actor_id: '7', actor_name: 'Ana', ip: '203.0.113.9', user_agent: 'ua', request_id: 'r1', metadata: { k: 1 } }]] as const) {
      await client.query('BEGIN');
      await client.query(`SET LOCAL application_name = 'ctx-test'`);
      if (context) await client.query(`SELECT audit.set_context($1)`, [JSON.stringify(context)]);
      expected.push((await client.query(`SELECT ${fields} FROM audit.current_context()`)).rows[0]);
      await client.query(`INSERT INTO ctx_t VALUES ($1)`, [id]);
      await client.query('COMMIT');
    }
    const recorded = (await db.pool.query(`SELECT ${fields} FROM audit.events WHERE target_type = 'public.ctx_t' ORDER BY id`)).rows;
    assert.equal(recorded, expected);
    assert.is(recorded[0].actor_type, 'db_role');
    assert.is(recorded[1].actor_name, 'Ana');
  } finally {
    client.release();
  }
});

t('only the settings a column type depends on are pinned on the capture function', async ({ db }) => {
  await db.pool.query(`CREATE TABLE counters (id int PRIMARY KEY, label text, total numeric, tags text[]);
                       CREATE TABLE stamps (id int PRIMARY KEY, at timestamptz, spots point[]);
                       CREATE TYPE pair AS (a int, b interval); CREATE TABLE pairs (id int PRIMARY KEY, p pair)`);
  const config = async (table: string) => {
    await enableAudit(db.pool, { schema: 'public', table }, {});
    const { rows } = await db.pool.query(`SELECT proconfig FROM pg_proc WHERE oid = (SELECT tgfoid FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname = 'pgtrail_insert')`, [table]);
    return (rows[0].proconfig as string[]).map((s) => s.split('=')[0].toLowerCase());
  };
  assert.equal(await config('counters'), ['search_path']);
  assert.equal(await config('stamps'), ['search_path', 'timezone', 'datestyle', 'extra_float_digits']);
  assert.equal(await config('pairs'), ['search_path', ...CANONICAL_SETTINGS.map(([name]) => name.toLowerCase())], 'a composite may hold anything');
});

t('status says disabled when a capture trigger is disabled or set to fire only on replicas; enable repairs it', async ({ db }) => {
  await db.pool.query(`CREATE TABLE notes (id int PRIMARY KEY, body text)`);
  await enableAudit(db.pool, { schema: 'public', table: 'notes' }, {});
  assert.is((await stateOf(db, 'public.notes'))?.state, 'current');
  await db.pool.query(`ALTER TABLE notes DISABLE TRIGGER pgtrail_update`);
  let state = await stateOf(db, 'public.notes');
  assert.is(state?.state, 'disabled');
  assert.match(state!.reason!, /trigger pgtrail_update on notes is disabled: changes are not being recorded/);
  await enableAudit(db.pool, { schema: 'public', table: 'notes' }, {});
  assert.is((await stateOf(db, 'public.notes'))?.state, 'current', 'enable re-creates the trigger enabled');

  await db.pool.query(`ALTER TABLE notes ENABLE REPLICA TRIGGER pgtrail_insert`);
  state = await stateOf(db, 'public.notes');
  assert.is(state?.state, 'disabled');
  assert.match(state!.reason!, /pgtrail_insert on notes fires only where session_replication_role = replica/);
  await db.pool.query(`INSERT INTO notes VALUES (1, 'missed')`);
  assert.is((await eventsFor(db.pool, 'public.notes')).length, 0, 'a disabled trigger really records nothing');
  await enableAudit(db.pool, { schema: 'public', table: 'notes' }, {});
  await db.pool.query(`INSERT INTO notes VALUES (2, 'seen')`);
  assert.equal((await eventsFor(db.pool, 'public.notes')).map((e) => e.target_id), ['2'], 'positive control: enabled again, it records');
});

t('status looks at the triggers of every partition too', async ({ db }) => {
  await db.pool.query(`CREATE TABLE orders (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
                       CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu')`);
  await enableAudit(db.pool, { schema: 'public', table: 'orders' }, {});
  assert.is((await stateOf(db, 'public.orders'))?.state, 'current');
  await db.pool.query(`ALTER TABLE orders_eu DISABLE TRIGGER pgtrail_delete`);
  const state = await stateOf(db, 'public.orders');
  assert.is(state?.state, 'disabled');
  assert.match(state!.reason!, /pgtrail_delete on orders_eu is disabled/);
});

t('--on-replica: triggers ENABLE ALWAYS record what a replica-role session (logical replication apply) writes; without it nothing is', async ({ db }) => {
  await db.pool.query(`CREATE TABLE plain_t (id int PRIMARY KEY); CREATE TABLE always_t (id int PRIMARY KEY)`);
  await enableAudit(db.pool, { schema: 'public', table: 'plain_t' }, {});
  await enableAudit(db.pool, { schema: 'public', table: 'always_t' }, { onReplica: true });
  const { rows } = await db.pool.query(`SELECT DISTINCT tgenabled::text AS e FROM pg_trigger WHERE tgrelid = 'always_t'::regclass AND tgname LIKE 'pgtrail_%'`);
  assert.equal(rows.map((r) => r.e), ['A']);
  assert.is((await stateOf(db, 'public.always_t'))?.state, 'current');
  assert.is((await stateOf(db, 'public.always_t'))?.options.onReplica, true);
  const client = await db.pool.connect();
  try {
    await client.query(`SET session_replication_role = replica`); // what a subscriber's apply worker runs as
    await client.query(`INSERT INTO plain_t VALUES (1); INSERT INTO always_t VALUES (1)`);
    await client.query(`SET session_replication_role = origin`);
    await client.query(`INSERT INTO plain_t VALUES (2)`);
  } finally {
    client.release();
  }
  assert.equal((await eventsFor(db.pool, 'public.always_t')).map((e) => e.target_id), ['1']);
  assert.equal((await eventsFor(db.pool, 'public.plain_t')).map((e) => e.target_id), ['2'], 'ordinary triggers skip replica sessions');
  // Set to ALWAYS by hand, unlike its options: status does not call that current.
  await db.pool.query(`ALTER TABLE plain_t ENABLE ALWAYS TRIGGER pgtrail_insert`);
  const state = await stateOf(db, 'public.plain_t');
  assert.is(state?.state, 'outdated');
  assert.match(state!.reason!, /set to ENABLE ALWAYS by hand/);
});

t('an UPDATE that leaves an oversized TOASTed value alone records it unchanged, without its md5, and (PostgreSQL 17+) never reads it', async ({ db }) => {
  await db.pool.query(`CREATE TABLE big (id int PRIMARY KEY, n int, body text)`);
  await db.pool.query(`ALTER TABLE big ALTER COLUMN body SET STORAGE EXTERNAL`);
  await db.pool.query(`INSERT INTO big SELECT g, 0, repeat(md5(g::text), 65536) FROM generate_series(1, 3) g`); // 2 MiB each
  await enableAudit(db.pool, { schema: 'public', table: 'big' }, {});
  const toast = (await db.pool.query(`SELECT reltoastrelid::regclass::text AS t FROM pg_class WHERE oid = 'big'::regclass`)).rows[0].t;
  const version = Number((await db.pool.query(`SELECT current_setting('server_version_num') AS v`)).rows[0].v);
  // Blocks of the TOAST table this transaction fetched, as a difference: the counters also hold
  // what earlier transactions of the session did until the backend flushes them.
  const toastBlocks = async (client: pg.PoolClient, sql: string) => {
    const fetched = async () => (await client.query(`SELECT pg_stat_get_xact_blocks_fetched($1::regclass)::int AS n`, [toast])).rows[0].n as number;
    await client.query('BEGIN');
    const before = await fetched();
    await client.query(sql);
    const after = await fetched();
    await client.query('COMMIT');
    return after - before;
  };
  const client = await db.pool.connect();
  try {
    const small = await toastBlocks(client, `UPDATE big SET n = n + 1`);
    const changed = await toastBlocks(client, `UPDATE big SET body = body || 'x' WHERE id = 1`);
    assert.ok(changed > 0, `positive control: changing the big value reads it (${changed} TOAST blocks)`);
    if (version >= 170000) assert.is(small, 0, 'no TOAST block read for values nobody changed');
    else assert.ok(small > 0, 'before PostgreSQL 17 the comparison still reads both versions (no way to compare TOAST pointers)');
  } finally {
    client.release();
  }
  const updates = (await eventsFor(db.pool, 'public.big')).filter((e) => e.action === 'update');
  assert.is(updates.length, 4);
  for (const e of updates.slice(0, 3)) {
    assert.equal(e.changed_fields, ['n']);
    assert.equal(Object.keys(e.old_data!), ['n'], 'old_data: only what changed');
    const body = (e.new_data as Record<string, any>).body;
    assert.equal(body, { $pgtrail: 'oversized', bytes: body.bytes, unchanged: true });
    assert.ok(body.bytes > 2_000_000);
    assert.equal(e.metadata, { oversized: true });
  }
  const last = updates[3];
  assert.equal(last.changed_fields, ['body']);
  const md5 = (await db.pool.query(`SELECT md5(body) AS m FROM big WHERE id = 1`)).rows[0].m;
  assert.is((last.new_data as Record<string, any>).body.md5, md5, 'a changed oversized value keeps its md5');
  assert.ok((last.old_data as Record<string, any>).body.md5, 'and so does its previous value');
});

t.run();
