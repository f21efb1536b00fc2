// "Long work says how far it is": `pgtrail verify` and `pgtrail search-index enable` draw a progress
// line on stderr when asked (PGTRAIL_PROGRESS=1 stands in for a terminal here), their stdout is the
// same byte for byte with it and without, and PGTRAIL_PROGRESS=0 writes no \r at all. The real CLI
// against a test database; stderr is read as a terminal would show it (\r returns to column 0).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSealKey } from '../src/integrity/keys.ts';
import { sealNow } from '../src/integrity/seal.ts';
import { registerKey } from '../src/integrity/store.ts';
import { describe, progressOnStderr } from '../src/cli/progress.ts';
import { cli, cliWithEnv } from './helpers/cli.ts';
import { createTestDatabase } from './helpers/database.ts';

const t = suite('progress-cli');

const ON = { PGTRAIL_PROGRESS: '1' };
const OFF = { PGTRAIL_PROGRESS: '0' };

/** What a terminal shows after `text`: \r goes back to column 0 and later characters overwrite. */
function screen(text: string): string[] {
  const lines = [''];
  let col = 0;
  for (const ch of text) {
    if (ch === '\n') {
      lines.push('');
      col = 0;
    } else if (ch === '\r') {
      col = 0;
    } else {
      const line = lines[lines.length - 1];
      lines[lines.length - 1] = line.slice(0, col).padEnd(col) + ch + line.slice(col + 1);
      col += 1;
    }
  }
  return lines.map((l) => l.trimEnd());
}

t('the reporter: log() clears the line, prints, and redraws it; end() leaves nothing on screen', () => {
  let out = '';
  const progress = progressOnStderr((text) => (out += text), false, ON);
  assert.ok(progress.active);
  progress.update({ done: 0, total: 3, unit: 'partitions' });
  progress.log('indexed events_p1 (0.1 s)\n');
  progress.update({ done: 1, total: 3, unit: 'partitions' });
  progress.log('indexed events_p2 (0.1 s)\n');
  // Redrawn at once after each log line, with the newest state (an update inside 250 ms is not drawn).
  const first = out.slice(0, out.indexOf(' s') + 2); // "\r0 of 3 partitions · 0 s" (or 1 s, on a slow machine)
  const blank = `\r${' '.repeat(first.length - 1)}\r`;
  assert.ok(out.startsWith(`${first}${blank}indexed events_p1 (0.1 s)\n${first}${blank}indexed events_p2 (0.1 s)\n\r1 of 3 partitions · `), JSON.stringify(out));
  progress.end();
  assert.equal(screen(out), ['indexed events_p1 (0.1 s)', 'indexed events_p2 (0.1 s)', '']);

  let quiet = '';
  const off = progressOnStderr((text) => (quiet += text), true, OFF);
  off.update({ done: 1, total: 3 });
  off.log('indexed events_p1 (0.1 s)\n');
  off.end();
  assert.is(quiet, 'indexed events_p1 (0.1 s)\n', 'off: the log line alone, even on a terminal');
});

t('the line: rows of a known total give a rate and the time left from rows; estimates say "about"', () => {
  assert.is(describe({ done: 2, total: 5, unit: 'seals', rows: 400_000, rowsTotal: 1_000_000, rowUnit: 'events' }, 10),
    '2 of 5 seals · 400,000 of 1,000,000 events · 40,000 events/s · 10 s · about 15 s left');
  assert.is(describe({ done: 1, total: 4, unit: 'partitions', rows: 9_000, rowsTotal: 10_000, rowsEstimated: true }, 90),
    '1 of 4 partitions · about 9,000 of 10,000 rows · 100 rows/s · 1 min 30 s · about 10 s left', 'time left from the rows, not the partitions');
});

t('verify: "of N seals" and the events on stderr; stdout identical with progress on and off, text and --json', async () => {
  const db = await createTestDatabase('progress_verify');
  try {
    const key = generateSealKey();
    await registerKey(db.pool, key);
    const client = await db.pool.connect();
    try {
      for (const n of [5, 4, 3]) {
        await db.pool.query(`SELECT audit.log_event('test.event', 'test', g::text, '{}') FROM generate_series(1, $1) AS g`, [n]);
        await sealNow(client, key);
      }
    } finally {
      client.release();
    }
    for (const args of [['verify'], ['verify', '--json'], ['verify', '--jobs', '1']]) {
      const shown = await cliWithEnv(db.url, ON, ...args);
      const hidden = await cliWithEnv(db.url, OFF, ...args);
      assert.is(shown.code, 0, shown.stderr);
      assert.is(hidden.code, 0, hidden.stderr);
      assert.is(shown.stdout, hidden.stdout, `${args.join(' ')}: stdout byte-identical`);
      assert.match(shown.stdout, args.includes('--json') ? /^\{\n {2}"ok": true,/ : /^verified: 3 seal\(s\), 3 recomputed, 12 event\(s\)/);
      assert.match(shown.stderr, /\r0 of 3 seals · 0 of 12 events · \d+ s/, 'the totals are known before the first seal');
      assert.not.match(shown.stdout, /\r| of 3 seals/, 'never on stdout');
      assert.equal(screen(shown.stderr), [''], 'the line is cleared at the end');
      assert.is(hidden.stderr, '', 'PGTRAIL_PROGRESS=0: nothing on stderr');
    }
    // Without the variable, stderr is a pipe here: no progress either.
    const piped = await cli(db.url, 'verify');
    assert.is(piped.code, 0, piped.stderr);
    assert.not.match(piped.stderr, /\r/);
  } finally {
    await db.drop();
  }
});

t('search-index enable: "of N partitions" and a log line per partition that never shares the progress line; stdout identical', async () => {
  const db = await createTestDatabase('progress_search_index');
  try {
    await db.pool.query(`SELECT audit.ensure_partition(d) FROM generate_series(timestamptz '2025-01-01Z', '2025-03-01Z', interval '1 month') AS d`);
    await db.pool.query(`
      INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user)
      SELECT timestamptz '2025-01-01Z' + g * interval '20 minutes', g, 'update', 'public.contacts', g::text, 'user', 'u' || g % 7, 'person' || g % 7, 'app'
        FROM generate_series(1, 6000) AS g`);
    await db.pool.query('ANALYZE audit.events');
    const { rows: [{ partitions }] } = await db.pool.query(`SELECT count(*)::int AS partitions FROM pg_inherits WHERE inhparent = 'audit.events'::regclass`);
    assert.ok(partitions >= 4, 'positive control: several partitions to build');

    const shown = await cliWithEnv(db.url, ON, 'search-index', 'enable');
    assert.is(shown.code, 0, shown.stderr);
    assert.match(shown.stderr, new RegExp(`\\r0 of ${partitions} partitions · about 0 of 6,000 rows · \\d+ s`), 'totals from the planner\'s estimates');
    assert.match(shown.stderr, new RegExp(`\\r1 of ${partitions} partitions · about [\\d,]+ of 6,000 rows`));
    const visible = screen(shown.stderr);
    assert.is(visible.pop(), '', 'the progress line is cleared at the end');
    assert.is(visible.length, partitions, 'one log line per partition');
    for (const line of visible) assert.match(line, /^indexed events_\w+ \(\d+\.\d s\)$/, 'a log line alone on its line, no progress text left on it');
    assert.not.match(shown.stdout, /\r/);

    assert.is((await cliWithEnv(db.url, OFF, 'search-index', 'disable')).code, 0);
    const hidden = await cliWithEnv(db.url, OFF, 'search-index', 'enable');
    assert.is(hidden.code, 0, hidden.stderr);
    assert.is(hidden.stdout, shown.stdout, 'stdout byte-identical with progress on and off');
    assert.not.match(hidden.stderr, /\r/, 'PGTRAIL_PROGRESS=0: no \\r');
    const untimed = (lines: string[]) => lines.map((l) => l.replace(/\(\d+\.\d s\)$/, '(… s)'));
    assert.equal(untimed(hidden.stderr.split('\n').slice(0, -1)), untimed(visible), 'the same log lines, timings aside');
  } finally {
    await db.drop();
  }
});

t.run();
