// Scheduling maintenance with pg_cron. CI's pg_cron leg sets PGTRAIL_EXPECT_PG_CRON=1 and points
// TEST_DATABASE_URL at a PostgreSQL 15 cluster with pg_cron preloaded and created in `postgres`
// (cron.database_name = postgres): there these tests always run and FAIL when pg_cron is missing.
// Test databases are clones named t_*, so the job goes through cron.schedule_in_database: exactly
// the cross-database path a real installation takes. Without the variable and without pg_cron
// (the embedded default) the pg_cron suite is reported skipped, and the "pg_cron is absent"
// behaviour is tested instead.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { runMaintenance } from '../src/maintenance/run.ts';
import { setRetention } from '../src/maintenance/retention.ts';
import {
  DEFAULT_SCHEDULE, JOB_COMMAND, JOB_NAME, PgCronMissingError, scheduleMaintenance, scheduleState, unscheduleMaintenance,
} from '../src/maintenance/schedule.ts';
import { createTestDatabase, urlFor, withAdmin, type TestDatabase } from './helpers/database.ts';
import { requireOr } from './helpers/requirements.ts';

const expected = process.env.PGTRAIL_EXPECT_PG_CRON === '1';
const loaded = await withAdmin(async (c) => (await c.query(`SELECT current_setting('cron.database_name', true) AS d`)).rows[0].d !== null);

const t = suite<{ db: TestDatabase }>('pg_cron');
t.before((ctx) => {
  requireOr(ctx, {
    met: loaded,
    reason: 'pg_cron is not loaded on the test server (shared_preload_libraries)',
    remedy: 'CI\'s pg_cron leg runs it: TEST_DATABASE_URL=<PostgreSQL 15 with pg_cron> PGTRAIL_EXPECT_PG_CRON=1 npm test',
    // The embedded leg of CI has no pg_cron either: only the pg_cron leg promises it.
    required: expected ? 'PGTRAIL_EXPECT_PG_CRON=1' : false,
  });
});
// A database per test: each test schedules (or not) its own job, none relies on an earlier one's.
t.before.each(async (ctx) => {
  ctx.db = await createTestDatabase('pg_cron');
});
t.after.each(async (ctx) => {
  if (!ctx.db) return;
  await unscheduleMaintenance(ctx.db.url); // never leave a job for a dropped database
  await ctx.db.drop();
});

/** Jobs named pgtrail-maintain for `database`, read in pg_cron's own database. */
async function jobsFor(database: string): Promise<Array<{ jobid: string; schedule: string; command: string; database: string }>> {
  const cronDb = await withAdmin(async (c) => (await c.query(`SELECT current_setting('cron.database_name', true) AS d`)).rows[0].d);
  return withAdmin(async (c) => (await c.query('SELECT jobid, schedule, command, database FROM cron.job WHERE jobname = $1 AND database = $2', [JOB_NAME, database])).rows, cronDb);
}

/** Schedules maintenance for `db` with the default schedule; its one job as pg_cron stores it. */
async function scheduledJob(db: TestDatabase) {
  assert.is((await scheduleMaintenance(db.url)).outcome, 'created');
  const jobs = await jobsFor(db.name);
  assert.is(jobs.length, 1, 'one job registered');
  return jobs[0];
}

t('pg_cron is loaded and its extension created (required in this leg)', async ({ db }) => {
  const state = await scheduleState(db.url);
  assert.ok(state.cronDatabase, 'cron.database_name is set: pg_cron is in shared_preload_libraries');
  assert.ok(state.version, `CREATE EXTENSION pg_cron was run in database ${state.cronDatabase}`);
  assert.is.not(state.cronDatabase, db.name, 'the job must be registered in another database than the audited one');
  assert.is(state.job, null);
});

t('schedule registers one job, pgtrail-maintain, running audit.maintain() in the audited database; again changes nothing', async ({ db }) => {
  const first = await scheduleMaintenance(db.url);
  assert.is(first.outcome, 'created');
  assert.equal(
    { name: JOB_NAME, command: first.job.command, schedule: first.job.schedule, database: first.job.database },
    { name: 'pgtrail-maintain', command: 'SELECT audit.maintain()', schedule: DEFAULT_SCHEDULE, database: db.name },
  );
  const again = await scheduleMaintenance(db.url);
  assert.is(again.outcome, 'unchanged');
  assert.is(again.job.jobId, first.job.jobId);
  const changed = await scheduleMaintenance(db.url, '5 4 * * *');
  assert.is(changed.outcome, 'updated');
  assert.is(changed.job.jobId, first.job.jobId);
  await scheduleMaintenance(db.url);
  const jobs = await jobsFor(db.name);
  assert.is(jobs.length, 1, 'exactly one job');
  assert.equal([jobs[0].command, jobs[0].schedule], [JOB_COMMAND, DEFAULT_SCHEDULE]);
  assert.is((await scheduleState(db.url)).job?.jobId, first.job.jobId);
});

t("running the job's command in the job's database drops an expired partition", async ({ db }) => {
  const pool = db.pool;
  await pool.query(`INSERT INTO audit.events (occurred_at, tx_id, action, target_type, actor_type, db_user)
                    VALUES ('2020-03-03T00:00:00Z', 1, 'test.row', 'test', 'user', 'tester')`);
  await runMaintenance(pool); // the row leaves the default partition for events_p20200301
  await setRetention(pool, '30 days');
  const job = await scheduledJob(db);
  // What pg_cron does at the scheduled minute: connect to job.database and run job.command.
  const client = new pg.Client({ connectionString: urlFor(job.database) });
  await client.connect();
  try {
    await client.query(job.command);
  } finally {
    await client.end();
  }
  const { rows } = await pool.query(`SELECT to_regclass('audit.events_p20200301') AS p,
                                            (SELECT metadata FROM audit.events WHERE action = 'audit.partition_dropped') AS m`);
  assert.is(rows[0].p, null, 'the expired partition is gone');
  assert.is(rows[0].m.partition, 'audit.events_p20200301');
  assert.is(rows[0].m.rows, 1);
});

t('schedule --remove takes the job away; removing again finds nothing', async ({ db }) => {
  await scheduledJob(db);
  assert.is(await unscheduleMaintenance(db.url), true);
  assert.equal(await jobsFor(db.name), []);
  assert.is(await unscheduleMaintenance(db.url), false);
});

t.run();

if (!loaded) {
  const absent = suite<{ db: TestDatabase }>('pg_cron absent');
  absent.before(async (ctx) => {
    ctx.db = await createTestDatabase('pg_cron_absent');
  });
  absent.after(async (ctx) => {
    await ctx.db?.drop();
  });
  absent('without pg_cron, schedule says so clearly and points at the fallback', async ({ db }) => {
    const state = await scheduleState(db.url);
    assert.equal([state.cronDatabase, state.version, state.job], [null, null, null]);
    try {
      await scheduleMaintenance(db.url);
      assert.unreachable('scheduled without pg_cron');
    } catch (error) {
      assert.instance(error, PgCronMissingError);
      assert.match((error as Error).message, /^pg_cron is not loaded on this server \(shared_preload_libraries does not include it\).*timer.*pgtrail maintain/);
    }
    assert.is(await unscheduleMaintenance(db.url), false);
  });
  absent.run();
}
