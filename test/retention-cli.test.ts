// `pgtrail retention | maintain | schedule` as a DBA runs them: a child process against real
// PostgreSQL, exit codes, output, and settings left unchanged by every refused input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseRetention } from '../src/maintenance/retention.ts';
import { UserError } from '../src/db/errors.ts';
import { createTestDatabase, withAdmin, type TestDatabase } from './helpers/database.ts';
import { cli } from './helpers/cli.ts';

const cronLoaded = await withAdmin(async (c) => (await c.query(`SELECT current_setting('cron.database_name', true) AS d`)).rows[0].d !== null);

const t = suite<{ db: TestDatabase }>('retention-cli');
t.before(async (ctx) => {
  ctx.db = await createTestDatabase('retention_cli');
});
t.after(async (ctx) => ctx.db?.drop());

async function settings(db: TestDatabase): Promise<unknown> {
  return (await db.pool.query('SELECT retention::text, partition_interval::text, premake, updated_at FROM audit.settings')).rows[0];
}

t('parseRetention: the forms people type', () => {
  const cases: Array<[string, string | null]> = [
    ['180d', '180 days'], ['180 days', '180 days'], ['1 day', '1 days'], ['2w', '14 days'], ['12 months', '12 months'],
    ['12mo', '12 months'], ['1y', '1 years'], ['3 Years', '3 years'], ['forever', null], [' FOREVER ', null],
  ];
  for (const [input, expected] of cases) assert.is(parseRetention(input), expected, input);
  for (const bad of ['banana', '-5d', '0d', '6m', '1.5y', '', '5', 'd', '101y', '10 parsecs']) {
    assert.throws(() => parseRetention(bad), (e: unknown) => e instanceof UserError && !String((e as Error).message).includes('\n'), bad);
  }
});

t('retention without arguments shows the policy, interval, premake and schedule', async ({ db }) => {
  const run = await cli(db.url, 'retention');
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^retention: +forever \(nothing is dropped\)$/m);
  assert.match(run.stdout, /^partition interval: +1 month \(boundaries in UTC\)$/m);
  assert.match(run.stdout, /^premake: +3 partitions ahead$/m);
  assert.match(run.stdout, /^schedule: +(pg_cron not loaded|no pg_cron job yet|pg_cron loaded)/m);
});

t('retention 180d | 12 months | 1y | forever set the policy and say what changed', async ({ db }) => {
  for (const [args, shown] of [[['180d'], '180 days'], [['12', 'months'], '1 year'], [['1y'], '1 year'], [['forever'], 'forever']] as const) {
    const run = await cli(db.url, 'retention', ...args);
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^(retention set to ${shown} \\(was .*\\)|settings unchanged: already as asked)$`, 'm'));
    assert.is((await db.pool.query('SELECT coalesce(retention::text, $1) AS r FROM audit.settings', ['forever'])).rows[0].r, shown);
  }
  const events = (await db.pool.query(`SELECT metadata FROM audit.events WHERE action = 'audit.retention_changed' ORDER BY id`)).rows;
  assert.equal(events.map((e) => e.metadata), [
    { old: 'forever', new: '180 days' }, { old: '180 days', new: '1 year' }, { old: '1 year', new: 'forever' },
  ]);
});

t('retention banana, -5d, 0d, a misfit interval: one error line, exit code 2, settings unchanged', async ({ db }) => {
  await db.pool.query(`SELECT audit.maintain()`);
  const before = await settings(db);
  const cases: Array<[string[], RegExp]> = [
    [['banana'], /^pgtrail: retention "banana" is not a duration; use e\.g\. 90d/],
    [['-5d'], /^pgtrail: retention "-5d" must be positive/],
    [['0d'], /^pgtrail: retention "0d" must be positive/],
    [['--interval', 'week'], /^pgtrail: partition interval 1 week does not divide the existing partition audit\.events_p\d{8}/],
    [['--interval', 'fortnight'], /^pgtrail: partition interval "fortnight" must be day, week or month/],
    [['--premake', '0'], /^pgtrail: premake "0" must be a whole number from 1 to 366/],
    [['30d', '--interval', 'week'], /does not divide/], // all or nothing: the retention is not set either
  ];
  for (const [args, pattern] of cases) {
    const run = await cli(db.url, 'retention', ...args);
    assert.is(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    const lines = run.stderr.trimEnd().split('\n');
    assert.ok(lines.length === 1 || (lines.length === 2 && lines[1].startsWith('hint: ')), run.stderr);
    assert.match(lines[0], pattern);
    assert.is(run.stdout, '');
    assert.equal(await settings(db), before, `${args.join(' ')} left the settings as they were`);
  }
});

t('maintain prints what it created, moved and dropped; a second run has nothing to do', async ({ db }) => {
  await db.pool.query(`INSERT INTO audit.events (occurred_at, tx_id, action, target_type, actor_type, db_user)
                       VALUES ('2019-07-04T00:00:00Z', 1, 'test.row', 'test', 'user', 'tester')`);
  await db.pool.query(`SELECT audit.set_retention('1 year')`);
  const run = await cli(db.url, 'maintain');
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^created +audit\.events_p20190701 +\[2019-07-01, 2019-08-01\)$/m);
  assert.match(run.stdout, /^moved +audit\.events_p20190701 +\[2019-07-01, 2019-08-01\) +1 row from the default partition$/m);
  assert.match(run.stdout, /^dropped +audit\.events_p20190701 +\[2019-07-01, 2019-08-01\) +1 row$/m);
  const again = await cli(db.url, 'maintain', '--json');
  assert.is(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout), []);
});

if (!cronLoaded) {
  t('schedule without pg_cron: a clear error, exit code 2', async ({ db }) => {
    const run = await cli(db.url, 'schedule');
    assert.is(run.code, 2);
    assert.match(run.stderr, /^pgtrail: pg_cron is not loaded on this server \(shared_preload_libraries does not include it\)/);
  });
} else {
  t('schedule with pg_cron: registered once, re-run unchanged, --remove', async ({ db }) => {
    const first = await cli(db.url, 'schedule');
    assert.is(first.code, 0, first.stderr);
    assert.match(first.stdout, /^scheduled pg_cron job pgtrail-maintain #\d+, '17 \* \* \* \*'/);
    const again = await cli(db.url, 'schedule');
    assert.match(again.stdout, /^already scheduled; unchanged:/);
    const removed = await cli(db.url, 'schedule', '--remove');
    assert.match(removed.stdout, /^removed pg_cron job pgtrail-maintain/);
  });
}

t.run();
