// Partition maintenance and retention: audit.maintain() against real PostgreSQL, with time injected
// through p_now (always in the past: maintain refuses a future p_now). Every test gets its own
// database cloned from the migrated template, so settings and partitions never leak between tests.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { enableAudit } from '../src/audit/enable.ts';
import { migrate } from '../src/install/migrate.ts';
import { runMaintenance, type MaintenanceStep } from '../src/maintenance/run.ts';
import { setPartitioning, setRetention } from '../src/maintenance/retention.ts';
import { MAINTENANCE_LOCK } from '../src/maintenance/lock.ts';
import { startMaintenanceTimer } from '../src/maintenance/timer.ts';
import { UserError } from '../src/db/errors.ts';
import { createTestDatabase, urlFor, withAdmin, type TestDatabase } from './helpers/database.ts';
import { refused } from './helpers/assertions.ts';

const t = suite('maintenance');

async function withDb(label: string, work: (db: TestDatabase) => Promise<void>, opts: { migrated?: boolean } = {}): Promise<void> {
  const db = await createTestDatabase(label, opts);
  try {
    await work(db);
  } finally {
    await db.drop();
  }
}

/** An event at a chosen time, written directly (as the superuser) so it may land anywhere. */
async function eventAt(db: pg.Pool | pg.ClientBase, at: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { rows } = await db.query(
    `INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, db_user, ip, metadata, old_data, changed_fields)
     VALUES ($1, 42, 'test.row', 'test', $2, 'user', 'u1', 'tester', $3, $4, $5, $6) RETURNING id`,
    [at, extra.target_id ?? null, extra.ip ?? null, extra.metadata ?? null, extra.old_data ?? null, extra.changed_fields ?? null],
  );
  return rows[0].id;
}

async function partitionOf(db: pg.Pool, id: string): Promise<string> {
  return (await db.query('SELECT tableoid::regclass::text AS p FROM audit.events WHERE id = $1', [id])).rows[0]?.p;
}

async function partitionNames(db: pg.Pool): Promise<string[]> {
  return (await db.query('SELECT partition FROM audit.partitions() WHERE NOT is_default')).rows.map((r) => r.partition);
}

const summary = (steps: MaintenanceStep[]) => steps.map((s) => `${s.action} ${s.partition}${s.rows === null ? '' : ` ${s.rows}`}`);

t('premakes the partition holding p_now and the next `premake` ones; a second run does nothing', () =>
  withDb('premake', async (db) => {
    const steps = await runMaintenance(db.pool, new Date('2024-03-15T10:00:00Z'));
    assert.equal(summary(steps), ['created events_p20240301', 'created events_p20240401', 'created events_p20240501', 'created events_p20240601']);
    assert.equal(steps[0].rangeFrom.toISOString(), '2024-03-01T00:00:00.000Z');
    assert.equal(steps[0].rangeTo.toISOString(), '2024-04-01T00:00:00.000Z');
    assert.equal(await runMaintenance(db.pool, new Date('2024-03-15T10:00:00Z')), [], 'idempotent');

    await setPartitioning(db.pool, null, 5);
    assert.equal(summary(await runMaintenance(db.pool, new Date('2024-03-15T10:00:00Z'))), ['created events_p20240701', 'created events_p20240801']);
  }));

t('rows stranded in the default partition move to partitions made for them (past and future), every column kept', () =>
  withDb('strays', async (db) => {
    const ids = {
      lastOfJan: await eventAt(db.pool, '2024-01-31T23:59:59.999999Z', { ip: '10.0.0.1', metadata: { a: 1 }, old_data: { x: 'y' }, changed_fields: ['x'] }),
      firstOfFeb: await eventAt(db.pool, '2024-02-01T00:00:00Z', { target_id: '7' }),
      lastOfFeb: await eventAt(db.pool, '2024-02-29T23:59:59.999999Z'),
      firstOfMar: await eventAt(db.pool, '2024-03-01T00:00:00Z'),
      future: await eventAt(db.pool, '2031-05-05T05:05:05Z'),
    };
    for (const id of Object.values(ids)) assert.is(await partitionOf(db.pool, id), 'audit.events_default');
    const snapshot = async () => (await db.pool.query('SELECT to_jsonb(e) AS row FROM audit.events AS e ORDER BY id')).rows.map((r) => r.row);
    const before = await snapshot();

    const steps = await runMaintenance(db.pool, new Date('2024-03-15T00:00:00Z'));
    assert.equal(summary(steps), [
      'created events_p20240101', 'created events_p20240201', 'created events_p20240301', 'created events_p20310501',
      'moved events_p20240101 1', 'moved events_p20240201 2', 'moved events_p20240301 1', 'moved events_p20310501 1',
      'created events_p20240401', 'created events_p20240501', 'created events_p20240601',
    ]);
    assert.equal(await snapshot(), before, 'ids and every column are preserved');
    assert.is(await partitionOf(db.pool, ids.lastOfJan), 'audit.events_p20240101');
    assert.is(await partitionOf(db.pool, ids.firstOfFeb), 'audit.events_p20240201');
    assert.is(await partitionOf(db.pool, ids.lastOfFeb), 'audit.events_p20240201');
    assert.is(await partitionOf(db.pool, ids.firstOfMar), 'audit.events_p20240301');
    assert.is(await partitionOf(db.pool, ids.future), 'audit.events_p20310501');
    assert.is((await db.pool.query('SELECT count(*)::int AS n FROM audit.events_default')).rows[0].n, 0);
    assert.equal(await runMaintenance(db.pool, new Date('2024-03-15T00:00:00Z')), [], 'idempotent');

    // The default partition made in place of the old one is guarded and readable like the first.
    const later = await eventAt(db.pool, '2020-01-01T00:00:00Z');
    assert.is(await partitionOf(db.pool, later), 'audit.events_default');
    const { rows } = await db.pool.query(`SELECT has_table_privilege('pgtrail_reader', 'audit.events_default', 'SELECT') AS r,
                                                 (SELECT relowner::regrole::text FROM pg_class WHERE oid = 'audit.events_default'::regclass) AS owner`);
    assert.equal(rows[0], { r: true, owner: 'pgtrail_owner' });
    const client = await db.pool.connect();
    try {
      await client.query('SET ROLE pgtrail_owner');
      await refused(client, 'TRUNCATE audit.events_default', /append-only: TRUNCATE/);
      await refused(client, 'DELETE FROM audit.events_default', /append-only: DELETE/);
    } finally {
      await client.query('RESET ROLE');
      client.release();
    }
  }));

t('retention forever (the default) drops nothing', () =>
  withDb('forever', async (db) => {
    await eventAt(db.pool, '2001-06-15T00:00:00Z');
    const steps = await runMaintenance(db.pool);
    assert.ok(steps.some((s) => s.action === 'moved' && s.partition === 'events_p20010601'));
    assert.not.ok(steps.some((s) => s.action === 'dropped'));
    assert.ok((await partitionNames(db.pool)).includes('events_p20010601'));
    const { rows } = await db.pool.query('SELECT retention FROM audit.settings');
    assert.is(rows[0].retention, null);
  }));

t('retention shortened from forever to 30 days drops whole expired partitions, each drop and the change recorded', () =>
  withDb('shortened', async (db) => {
    const now = new Date('2024-03-31T00:00:00Z'); // cutoff = 2024-03-01T00:00:00Z, exactly a boundary
    await eventAt(db.pool, '2024-01-10T00:00:00Z');
    await eventAt(db.pool, '2024-02-29T23:59:59.999999Z'); // the last instant outside the window
    const atCutoff = await eventAt(db.pool, '2024-03-01T00:00:00Z'); // exactly 30 days old: inside
    const recent = await eventAt(db.pool, '2024-03-20T00:00:00Z');
    assert.not.ok((await runMaintenance(db.pool, now)).some((s) => s.action === 'dropped'), 'forever keeps everything');

    await setRetention(db.pool, '30 days');
    const changed = (await db.pool.query(`SELECT * FROM audit.events WHERE action = 'audit.retention_changed'`)).rows;
    assert.is(changed.length, 1);
    assert.equal(changed[0].metadata, { old: 'forever', new: '30 days' });
    assert.equal([changed[0].old_data, changed[0].new_data], [{ retention: null }, { retention: '30 days' }]);
    assert.is(changed[0].actor_type, 'db_role');

    const steps = await runMaintenance(db.pool, now);
    assert.equal(summary(steps.filter((s) => s.action === 'dropped')), ['dropped events_p20240101 1', 'dropped events_p20240201 1']);
    const names = await partitionNames(db.pool);
    assert.not.ok(names.includes('events_p20240101'));
    assert.not.ok(names.includes('events_p20240201'));
    assert.is(await partitionOf(db.pool, atCutoff), 'audit.events_p20240301', 'a row exactly at the cutoff is kept');
    assert.is(await partitionOf(db.pool, recent), 'audit.events_p20240301');

    const drops = (await db.pool.query(`SELECT *, tableoid::regclass::text AS part FROM audit.events WHERE action = 'audit.partition_dropped' ORDER BY id`)).rows;
    assert.is(drops.length, 2);
    assert.equal(drops.map((d) => d.target_id), ['audit.events_p20240101', 'audit.events_p20240201']);
    for (const d of drops) {
      assert.is(d.actor_type, 'system');
      assert.is(d.target_type, 'audit.events');
      assert.ok(names.includes(d.part.replace('audit.', '')) && !['audit.events_p20240101', 'audit.events_p20240201'].includes(d.part), `drop event stored in ${d.part}`);
    }
    assert.equal(drops[0].metadata, {
      partition: 'audit.events_p20240101',
      range_from: '2024-01-01T00:00:00+00:00',
      range_to: '2024-02-01T00:00:00+00:00',
      rows: 1,
      retention: '30 days',
      cutoff: '2024-03-01T00:00:00+00:00',
      as_of: '2024-03-31T00:00:00+00:00',
    });
    assert.equal(await runMaintenance(db.pool, now), [], 'idempotent');
  }));

t('a partition that still holds a row inside the window is kept', () =>
  withDb('straddle', async (db) => {
    await eventAt(db.pool, '2024-01-20T00:00:00Z');
    const old = await eventAt(db.pool, '2024-02-01T00:00:00Z'); // outside the window ...
    const inside = await eventAt(db.pool, '2024-02-20T00:00:00Z'); // ... but this one is inside
    await setRetention(db.pool, '30 days');
    const steps = await runMaintenance(db.pool, new Date('2024-03-15T12:00:00Z')); // cutoff 2024-02-14T12:00Z
    assert.equal(summary(steps.filter((s) => s.action === 'dropped')), ['dropped events_p20240101 1']);
    assert.is(await partitionOf(db.pool, old), 'audit.events_p20240201');
    assert.is(await partitionOf(db.pool, inside), 'audit.events_p20240201');
  }));

t('retention in months and years counts calendar time in UTC', () =>
  withDb('calendar', async (db) => {
    await eventAt(db.pool, '2023-02-15T00:00:00Z');
    await eventAt(db.pool, '2023-03-15T00:00:00Z');
    await setRetention(db.pool, '1 years');
    const steps = await runMaintenance(db.pool, new Date('2024-03-01T00:00:00Z')); // cutoff 2023-03-01: February 2023 has ended
    assert.equal(summary(steps.filter((s) => s.action === 'dropped')), ['dropped events_p20230201 1']);
  }));

t('p_now may not be in the future: nothing is ever dropped ahead of the clock', () =>
  withDb('future', async (db) => {
    await refused(db.pool as unknown as pg.ClientBase, `SELECT audit.maintain(now() + interval '1 day')`, /must not be NULL or in the future/);
    await refused(db.pool as unknown as pg.ClientBase, `SELECT audit.maintain(NULL)`, /must not be NULL or in the future/);
  }));

t('settings: an interval that does not divide the existing partitions is refused, unchanged; a finer one works around wider partitions', () =>
  withDb('settings', async (db) => {
    await runMaintenance(db.pool, new Date('2024-03-15T00:00:00Z')); // monthly partitions March to June 2024
    const settings = async () => (await db.pool.query('SELECT partition_interval::text AS i, premake, retention::text AS r, updated_at FROM audit.settings')).rows[0];
    const before = await settings();
    try {
      await setPartitioning(db.pool, '1 week', null);
      assert.unreachable('month → week was accepted');
    } catch (error) {
      assert.instance(error, UserError);
      assert.match((error as Error).message, /^partition interval 1 week does not divide the existing partition audit\.events_p\d{8} \[\d{4}-\d\d-\d\d, \d{4}-\d\d-\d\d\); settings unchanged$/);
    }
    assert.equal(await settings(), before);
    for (const bad of [() => setRetention(db.pool, '1 hour'), () => setPartitioning(db.pool, null, 0), () => setRetention(db.pool, '-5 days')]) {
      try {
        await bad();
        assert.unreachable('accepted');
      } catch (error) {
        assert.instance(error, UserError);
        assert.match((error as Error).message, /settings unchanged$/);
      }
    }
    assert.equal(await settings(), before);
    assert.is((await db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE action LIKE 'audit.%'`)).rows[0].n, 0, 'refusals leave no event');

    await setPartitioning(db.pool, '1 day', null); // a day divides a month
    const event = (await db.pool.query(`SELECT * FROM audit.events WHERE action = 'audit.partitioning_changed'`)).rows[0];
    assert.equal([event.old_data, event.new_data, event.changed_fields], [
      { partition_interval: '1 mon', premake: 3 }, { partition_interval: '1 day', premake: 3 }, ['partition_interval'],
    ]);
    // June 29 and 30 lie in the monthly June partition; July gets daily partitions.
    const steps = await runMaintenance(db.pool, new Date('2024-06-29T12:00:00Z'));
    assert.equal(summary(steps), ['created events_p20240701', 'created events_p20240702']);
    const july = await eventAt(db.pool, '2024-07-01T23:00:00Z');
    assert.is(await partitionOf(db.pool, july), 'audit.events_p20240701');
    // Back to months is refused now: the daily partitions do not fit in a monthly grid.
    try {
      await setPartitioning(db.pool, '1 month', null);
      assert.unreachable('day → month was accepted');
    } catch (error) {
      assert.match((error as Error).message, /does not divide the existing partition audit\.events_p20240701 \[2024-07-01, 2024-07-02\)/);
    }
    // A direct UPDATE by the owner goes through the same validation and is recorded too.
    await db.pool.query(`UPDATE audit.settings SET retention = interval '2 years'`);
    const direct = (await db.pool.query(`SELECT metadata FROM audit.events WHERE action = 'audit.retention_changed'`)).rows;
    assert.equal(direct.map((r) => r.metadata), [{ old: 'forever', new: '2 years' }]);
  }));

t('two connections calling maintain at once: the second waits for the first, then finds nothing to do', () =>
  withDb('concurrent', async (db) => {
    await eventAt(db.pool, '2023-05-05T00:00:00Z');
    await eventAt(db.pool, '2024-02-02T00:00:00Z');
    await setRetention(db.pool, '90 days');
    const now = '2024-03-15T00:00:00Z';
    const first = await db.pool.connect();
    const second = await db.pool.connect();
    try {
      await first.query('BEGIN');
      const report = (await first.query('SELECT * FROM audit.maintain($1)', [now])).rows;
      assert.ok(report.some((r) => r.action === 'dropped' && r.partition === 'events_p20230501'));
      const pid = (await second.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const waiting = second.query('SELECT * FROM audit.maintain($1)', [now]);
      let blocked = false;
      for (let i = 0; i < 100 && !blocked; i++) {
        const { rows } = await db.pool.query(`SELECT wait_event FROM pg_stat_activity WHERE pid = $1`, [pid]);
        blocked = rows[0]?.wait_event === 'advisory';
        if (!blocked) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(blocked, 'the second call waits on the advisory lock');
      await first.query('COMMIT');
      assert.equal((await waiting).rows, [], 'nothing left to do');
    } finally {
      await first.query('ROLLBACK').catch(() => {});
      first.release();
      second.release();
    }

    // And truly at once, on fresh strays: every partition is made once, every drop recorded once.
    await eventAt(db.pool, '2022-01-01T00:00:00Z');
    await eventAt(db.pool, '2022-02-01T00:00:00Z');
    const [a, b] = await Promise.all([runMaintenance(db.pool, new Date(now)), runMaintenance(db.pool, new Date(now))]);
    const all = summary([...a, ...b]).sort();
    assert.equal(all, ['created events_p20220101', 'created events_p20220201', 'dropped events_p20220101 1', 'dropped events_p20220201 1', 'moved events_p20220101 1', 'moved events_p20220201 1']);
    assert.ok(a.length === 0 || b.length === 0, 'one call did everything');
    const drops = (await db.pool.query(`SELECT target_id, count(*)::int AS n FROM audit.events WHERE action = 'audit.partition_dropped' GROUP BY 1 ORDER BY 1`)).rows;
    assert.equal(drops, [
      { target_id: 'audit.events_p20220101', n: 1 }, { target_id: 'audit.events_p20220201', n: 1 }, { target_id: 'audit.events_p20230501', n: 1 },
    ]);
  }));

t('an application role and a pgtrail_reader member cannot drop or detach partitions, run maintenance or its steps, nor change settings', async () => {
  const db = await createTestDatabase('privileges');
  const suffix = randomBytes(3).toString('hex');
  const app = `app_${suffix}`;
  const reader = `reader_${suffix}`;
  const clients: pg.Client[] = [];
  try {
    await db.pool.query(`CREATE ROLE ${app} LOGIN PASSWORD 'pw'; CREATE ROLE ${reader} LOGIN PASSWORD 'pw' IN ROLE pgtrail_reader`);
    await db.pool.query(`GRANT CREATE, USAGE ON SCHEMA public TO ${app}`);
    await db.pool.query(`CREATE TABLE orders (id int PRIMARY KEY, total int); ALTER TABLE orders OWNER TO ${app}`);
    await enableAudit(db.pool, { schema: 'public', table: 'orders' }, {});
    await eventAt(db.pool, '2020-01-15T00:00:00Z');
    await runMaintenance(db.pool); // events_p20200101 now exists and is long expired under any short retention
    const partitionsBefore = await partitionNames(db.pool);
    for (const role of [app, reader]) {
      const url = new URL(urlFor(db.name));
      url.username = role;
      url.password = 'pw';
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      clients.push(client);
    }
    const [appClient, readerClient] = clients;
    await appClient.query('INSERT INTO orders VALUES (1, 10)'); // the application writes its audited table

    for (const client of clients) {
      await refused(client, 'DROP TABLE audit.events_p20200101', /must be owner/);
      await refused(client, 'ALTER TABLE audit.events DETACH PARTITION audit.events_p20200101', /must be owner/);
      await refused(client, 'ALTER TABLE audit.events DETACH PARTITION audit.events_default', /must be owner/);
      await refused(client, 'DELETE FROM audit.events_p20200101', /permission denied/);
      await refused(client, 'SELECT * FROM audit.maintain()', /permission denied for function maintain/);
      await refused(client, `SELECT * FROM audit.maintain('2020-01-01')`, /permission denied for function maintain/);
      await refused(client, 'SELECT * FROM audit.drop_expired(now())', /permission denied for function drop_expired/);
      await refused(client, 'SELECT * FROM audit.move_strays()', /permission denied for function move_strays/);
      await refused(client, 'SELECT audit.ensure_partition(now())', /permission denied for function ensure_partition/);
      await refused(client, 'SELECT audit.premake_partitions()', /permission denied for function premake_partitions/);
      await refused(client, `SELECT audit.set_retention('1 day')`, /permission denied for function set_retention/);
      await refused(client, `SELECT audit.set_partitioning('1 day')`, /permission denied for function set_partitioning/);
      await refused(client, `UPDATE audit.settings SET retention = '1 day'`, /permission denied/);
      // Triggers (the append-only guard among them) cannot be switched off by a non-superuser.
      await refused(client, 'SET session_replication_role = replica', /permission denied/);
    }
    // The reader reads the policy and the layout; the application role does not even see it.
    assert.is((await readerClient.query('SELECT retention FROM audit.settings')).rows[0].retention, null);
    assert.ok((await readerClient.query('SELECT count(*)::int AS n FROM audit.partitions()')).rows[0].n > 0);
    await refused(appClient, 'SELECT * FROM audit.partitions()', /permission denied/);
    assert.equal(await partitionNames(db.pool), partitionsBefore, 'nothing was dropped');
  } finally {
    for (const client of clients) await client.end();
    await db.drop();
    await withAdmin((c) => c.query(`DROP ROLE IF EXISTS ${app}; DROP ROLE IF EXISTS ${reader}`)).catch(() => {});
  }
});

t('with 400 daily partitions a 24-hour window touches only the partitions it needs', () =>
  withDb('pruning', async (db) => {
    await setPartitioning(db.pool, '1 day', null);
    await db.pool.query(`SELECT audit.ensure_partition(d) FROM generate_series(timestamptz '2023-01-01Z', timestamptz '2023-01-01Z' + interval '399 days', interval '1 day') AS d`);
    await db.pool.query(`INSERT INTO audit.events (occurred_at, tx_id, action, target_type, actor_type, db_user)
                         SELECT d, 1, 'test.row', 'test', 'user', 'tester'
                           FROM generate_series(timestamptz '2023-01-01Z', timestamptz '2023-01-01Z' + interval '399 days', interval '1 hour') AS d`);
    await db.pool.query('ANALYZE audit.events');
    const daily = (await partitionNames(db.pool)).filter((p) => p >= 'events_p20230101' && p <= 'events_p20240204');
    assert.is(daily.length, 400);

    const relations = (plan: unknown): string[] => {
      const out: string[] = [];
      const walk = (node: any) => {
        if (node['Relation Name']) out.push(node['Relation Name']);
        for (const child of node.Plans ?? []) walk(child);
      };
      walk((plan as any)[0].Plan);
      return out.sort();
    };
    const query = `SELECT id, action FROM audit.events WHERE occurred_at >= $1 AND occurred_at < $2`;
    const from = '2023-06-01T12:00:00Z';
    const to = '2023-06-02T12:00:00Z';
    const client = await db.pool.connect();
    try {
      // Plan-time pruning, as for literal values and the first executions of a prepared query.
      const custom = (await client.query(`EXPLAIN (FORMAT JSON) ${query.replace('$1', `'${from}'`).replace('$2', `'${to}'`)}`)).rows[0]['QUERY PLAN'];
      assert.equal(relations(custom), ['events_p20230601', 'events_p20230602']);
      // Run-time pruning, for a generic plan of the same query with bind parameters.
      await client.query(`SET plan_cache_mode = force_generic_plan`);
      await client.query(`PREPARE window_q(timestamptz, timestamptz) AS ${query}`);
      const generic = (await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE window_q('${from}', '${to}')`)).rows[0]['QUERY PLAN'];
      assert.equal(relations(generic), ['events_p20230601', 'events_p20230602']);
      assert.is(generic[0].Plan['Actual Rows'], 24);
    } finally {
      await client.query('DEALLOCATE ALL; RESET plan_cache_mode');
      client.release();
    }
  }));

t('the fallback timer runs maintenance, skips its round while another session holds the lock, and stops', () =>
  withDb('timer', async (db) => {
    await eventAt(db.pool, '2018-08-08T00:00:00Z');
    const holder = await db.pool.connect();
    const seen: string[] = [];
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    let stop: (() => Promise<void>) | undefined;
    try {
      await holder.query('SELECT pg_advisory_lock($1, $2)', [MAINTENANCE_LOCK.classId, MAINTENANCE_LOCK.objId]);
      stop = startMaintenanceTimer(db.pool, 1000, {
        onSkip: () => seen.push('skip'),
        onRun: (steps) => seen.push(`run ${summary(steps).join(', ')}`),
        onError: (error) => seen.push(`error ${(error as Error).message}`),
      });
      await until(() => seen.length > 0);
      assert.equal(seen, ['skip'], 'another session holds the lock: the round is skipped, not queued');
      await holder.query('SELECT pg_advisory_unlock($1, $2)', [MAINTENANCE_LOCK.classId, MAINTENANCE_LOCK.objId]);
      await until(() => seen.length > 1);
      assert.match(seen[1], /^run created events_p20180801, moved events_p20180801 1/);
    } finally {
      await stop?.();
      holder.release();
    }
    const count = seen.length;
    await new Promise((r) => setTimeout(r, 1200));
    assert.is(seen.length, count, 'no round after stop');
    assert.is((await db.pool.query('SELECT count(*)::int AS n FROM pg_locks WHERE locktype = $1', ['advisory'])).rows[0].n, 0, 'the session lock was released');
  }));

t('migration 0002 goes down alone (back to 0001 premake) and up again', () =>
  withDb('down0002', async (db) => {
    const client = await db.pool.connect();
    try {
      // Up to 0002 only: later migrations (0003 console, …) stack on top and go down first.
      assert.equal(await migrate(client, { count: 2 }), ['0001_core', '0002_maintenance']);
      assert.equal(await migrate(client, { direction: 'down', count: 1 }), ['0002_maintenance']);
      const { rows } = await client.query(`SELECT to_regprocedure('audit.maintain(timestamptz)') AS m, to_regprocedure('audit.premake_partitions(timestamptz)') AS p,
                                                  (SELECT count(*)::int FROM pg_trigger WHERE tgname = 'settings_changed') AS t`);
      assert.equal(rows[0], { m: null, p: 'audit.premake_partitions(timestamp with time zone)', t: 0 });
      await client.query('SELECT audit.premake_partitions()');
      assert.equal(await migrate(client, { count: 1 }), ['0002_maintenance']);
      assert.equal(await runMaintenance(client), []);
    } finally {
      client.release();
    }
  }, { migrated: false }));

t.run();
