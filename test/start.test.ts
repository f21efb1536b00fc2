// `npm start` as a user and a supervisor run it: the embedded server's URL is printed and recorded
// for `pgtrail --embedded`; SIGTERM or SIGINT to the npm process alone stops the console and the
// embedded PostgreSQL cleanly (no postmaster left, its pid file and the record removed); a second
// start on the same data directory neither repeats the demo's live changes nor silently ignores
// PGTRAIL_PASSWORD.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isAlive, statePath, type EmbeddedState } from '../src/embedded/state.ts';
import { cliWithEnv } from './helpers/cli.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const t = suite<{ dir: string }>('npm start');

t.before((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'pgtrail-start-'));
  chmodSync(ctx.dir, 0o755); // as root, the embedded server runs as `postgres` and must reach it
});
t.after(({ dir }) => rmSync(dir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  output: () => string;
  consoleUrl: string;
  state: EmbeddedState;
  postmasterPid: number;
  exit: Promise<number | null>;
}

/** Guard against a hang only (not an assertion on speed): start-up takes ~5-15 s here. */
const START_LIMIT_MS = 90_000;

async function npmStart(dataDir: string, extra: NodeJS.ProcessEnv = {}): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, PGTRAIL_DATA_DIR: dataDir, PORT: '0', ...extra };
  delete env.DATABASE_URL;
  if (!extra.PGTRAIL_PASSWORD) delete env.PGTRAIL_PASSWORD;
  // Its own process group, so a failing test can still clean up everything it started.
  const child = spawn('npm', ['start'], { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const consoleUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no console URL within ${START_LIMIT_MS} ms:\n${text}`)), START_LIMIT_MS);
    const onData = (chunk: Buffer) => {
      text += chunk;
      const m = text.match(/^pgtrail console: (http:\/\/\S+)$/m);
      if (m && /Press Ctrl\+C to stop\./.test(text)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before serving:\n${text}`));
    });
  }).catch((error) => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    throw error;
  });
  const state = JSON.parse(readFileSync(statePath(dataDir), 'utf8')) as EmbeddedState;
  const postmasterPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return { child, output: () => text, consoleUrl, state, postmasterPid, exit };
}

/** Runs the checks on a started `npm start`; whatever happens, nothing it started is left running. */
async function withStarted(dataDir: string, extra: NodeJS.ProcessEnv, checks: (run: Started) => Promise<void>): Promise<void> {
  const run = await npmStart(dataDir, extra);
  try {
    await checks(run);
  } finally {
    if (run.child.exitCode === null) process.kill(-run.child.pid!, 'SIGKILL');
  }
}

/** Resolves once the output matches (lines logged after start-up, e.g. the first maintenance round). */
async function outputMatches(run: Started, pattern: RegExp): Promise<boolean> {
  for (let waited = 0; waited < START_LIMIT_MS && run.child.exitCode === null; waited += 100) {
    if (pattern.test(run.output())) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return pattern.test(run.output());
}

async function countEvents(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT count(*)::int AS n FROM audit.events')).rows[0].n;
  } finally {
    await client.end();
  }
}

/**
 * A data directory that one `npm start` has set up (demo and its live changes) and stopped cleanly:
 * what a restart finds. Returns the number of events then.
 */
async function startedOnce(dataDir: string): Promise<number> {
  let events = 0;
  await withStarted(dataDir, {}, async (run) => {
    events = await countEvents(run.state.url);
    // The first test checks how a stop reads; here only that it was clean (a maintenance round
    // still running may log between the lines).
    run.child.kill('SIGTERM');
    assert.is(await run.exit, 0, run.output());
    assert.not.ok(existsSync(join(dataDir, 'postmaster.pid')), 'the embedded server stopped');
  });
  assert.ok(events > 0, 'the first start made events');
  return events;
}

/**
 * Sends `signal` to the npm process only (or, with `group`, to its whole process group, as Ctrl+C
 * in a terminal does) and checks that everything it started is gone.
 */
async function stopWith(run: Started, signal: NodeJS.Signals, dataDir: string, group = false): Promise<void> {
  assert.ok(isAlive(run.postmasterPid), 'positive control: the postmaster runs');
  assert.ok(existsSync(join(dataDir, 'postmaster.pid')));
  const answer = await fetch(run.consoleUrl, { redirect: 'manual' });
  assert.ok(answer.status < 500, `positive control: the console answers (${answer.status})`);
  if (group) process.kill(-run.child.pid!, signal);
  else run.child.kill(signal);
  const guard = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 30_000).unref());
  const code = await Promise.race([run.exit, guard]);
  assert.is(code, 0, `npm start after ${signal}:\n${run.output()}`);
  // With the whole group signalled, PostgreSQL got the signal too and may already be shutting down:
  // a line about a lost connection may come between, the order and the clean end may not change.
  const order = group ? '(?:.*\\n)*?' : '';
  assert.match(run.output(), new RegExp(`${signal}: stopping …\\n${order}Console stopped\\.\\n${order}Embedded PostgreSQL stopped\\.\\n`), run.output());
  assert.not.ok(existsSync(join(dataDir, 'postmaster.pid')), 'postmaster.pid removed');
  assert.not.ok(isAlive(run.postmasterPid), `postmaster ${run.postmasterPid} is gone`);
  assert.not.ok(isAlive(run.state.pid), 'the main process is gone');
  assert.not.ok(existsSync(statePath(dataDir)), 'the embedded.json record is removed');
  await fetch(run.consoleUrl).then(() => assert.unreachable('the console still answers'), () => {});
  const after = await cliWithEnv(undefined, { PGTRAIL_DATA_DIR: dataDir }, '--embedded', 'status');
  assert.is(after.code, 2);
  assert.match(after.stderr, /^pgtrail: --embedded: no embedded PostgreSQL is running for /);
}

t('first start: URL printed and recorded, `pgtrail --embedded` reaches it; SIGTERM to npm stops everything', async (ctx) => {
  const dataDir = join(ctx.dir, 'first');
  await withStarted(dataDir, {}, async (run) => {
    assert.match(run.output(), new RegExp(`^Embedded PostgreSQL: DATABASE_URL=${run.state.url.replace(/[.?]/g, '\\$&')}$`, 'm'));
    assert.match(run.state.url, /^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    assert.is(run.state.dataDir, dataDir);
    assert.match(run.output(), /^Demo: made live changes as a user, an API token, a system job and a database role/m);
    assert.match(run.output(), /^Sign in as admin@example\.com with password \S+/m);
    // The migration makes partitions from this month on; when the demo's week of history reaches
    // into last month, the first maintenance round makes that one and moves the events: in words.
    const weekAgo = new Date(Date.now() - 7 * 86_400_000 - 60_000);
    if (weekAgo.getUTCMonth() !== new Date().getUTCMonth()) {
      assert.ok(await outputMatches(run, /^maintenance: created the partition for \w+ \d{4} and moved \d+ events from the default partition into it$/m), run.output());
    }
    assert.not.match(run.output(), /events_p\d/);
    const status = await cliWithEnv(undefined, { PGTRAIL_DATA_DIR: dataDir }, '--embedded', 'status');
    assert.is(status.code, 0, status.stderr);
    assert.match(status.stdout, /^demo\.contacts\s+current/m);
    await stopWith(run, 'SIGTERM', dataDir);
  });
});

t('second start on the same data: no second round of live changes, PGTRAIL_PASSWORD said to be ignored; SIGINT to npm stops everything', async (ctx) => {
  const dataDir = join(ctx.dir, 'second');
  const events = await startedOnce(dataDir);
  await withStarted(dataDir, { PGTRAIL_PASSWORD: 'chosen on the second start' }, async (run) => {
    assert.match(run.output(), /^Demo: the live changes were made on an earlier start; not repeated\.$/m);
    assert.match(run.output(), /^PGTRAIL_PASSWORD is ignored: an admin exists already \(admin@example\.com\) and keeps its password\. To change it: PGTRAIL_PASSWORD=… PGTRAIL_DATA_DIR=\S+ npx pgtrail --embedded user set-password admin@example\.com$/m);
    assert.is(await countEvents(run.state.url), events, 'no new events from the demo');
    await stopWith(run, 'SIGINT', dataDir);
  });
});

t('SIGINT to the whole process group (Ctrl+C in a terminal) is one request to stop: a clean stop, not an abrupt exit', async (ctx) => {
  const dataDir = join(ctx.dir, 'group');
  await withStarted(dataDir, {}, async (run) => {
    await stopWith(run, 'SIGINT', dataDir, true);
    assert.not.match(run.output(), /again: exiting now/);
  });
});

t.run();
