// `pgtrail user add|list|remove|set-password`, `--embedded` and `pgtrail serve`'s argument checks, run in-process.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli/main.ts';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPassword } from '../src/accounts/passwords.ts';
import { createSession, resolveSession } from '../src/accounts/sessions.ts';
import { writeState } from '../src/embedded/state.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('console-cli');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('console_cli');
});
t.after(async (ctx) => ctx.db?.drop());

async function run(db: TestDatabase, argv: string[], env: Record<string, string> = {}) {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: { DATABASE_URL: db.url, ...env } });
  return { code, out, err };
}

t('user add (password from PGTRAIL_PASSWORD, stored as scrypt), list, remove — each change an audit event', async ({ db }) => {
  const added = await run(db, ['user', 'add', 'Aisha@Example.com', '--role', 'admin'], { PGTRAIL_PASSWORD: 'a long password' });
  assert.is(added.code, 0, added.err);
  assert.is(added.out, 'added Aisha@Example.com (admin)\n');
  const { rows: [u] } = await db.pool.query(`SELECT password_hash FROM console.users WHERE lower(email) = 'aisha@example.com'`);
  assert.match(u.password_hash, /^scrypt\$16384\$8\$1\$/);
  assert.ok(await verifyPassword('a long password', u.password_hash));
  assert.not.ok(await verifyPassword('a long passworD', u.password_hash));

  const list = await run(db, ['user', 'list', '--json']);
  assert.equal(JSON.parse(list.out).map((x: { email: string; role: string }) => [x.email, x.role]), [['Aisha@Example.com', 'admin']]);
  const dup = await run(db, ['user', 'add', 'aisha@example.com', '--role', 'viewer'], { PGTRAIL_PASSWORD: 'a long password' });
  assert.is(dup.code, 2);
  assert.match(dup.err, /already exists/);
  const removed = await run(db, ['user', 'remove', 'AISHA@example.com']);
  assert.is(removed.code, 0, removed.err);
  const { rows } = await db.pool.query(`SELECT action, actor_type FROM audit.events WHERE target_type = 'console.user' ORDER BY id`);
  assert.equal(rows, [{ action: 'user.create', actor_type: 'db_role' }, { action: 'user.delete', actor_type: 'db_role' }]);
});

t('user: bad input is a one-line error, exit 2', async ({ db }) => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['user', 'add', 'x@example.com'], { PGTRAIL_PASSWORD: 'a long password' }, /--role is required/],
    [['user', 'add', 'x@example.com', '--role', 'root'], { PGTRAIL_PASSWORD: 'a long password' }, /role: must be one of admin, auditor, viewer/],
    [['user', 'add', 'x@example.com', '--role', 'viewer'], { PGTRAIL_PASSWORD: 'short' }, /at least 10 characters/],
    [['user', 'add', 'not-an-email', '--role', 'viewer'], { PGTRAIL_PASSWORD: 'a long password' }, /is not an email address/],
    [['user', 'remove', 'ghost@example.com'], {}, /no user ghost@example.com/],
    [['user', 'frobnicate'], {}, /unknown subcommand/],
    [['serve', '--port', 'eighty'], {}, /--port: "eighty" is not a port/],
  ];
  for (const [argv, env, message] of cases) {
    const r = await run(db, argv, env);
    assert.is(r.code, 2, argv.join(' '));
    assert.match(r.err, message, argv.join(' '));
    assert.is(r.err.trim().split('\n').length <= 2, true, 'one line (plus a hint)');
  }
});

t('user set-password: new hash, old password refused, sessions ended, recorded as user.set_password', async ({ db }) => {
  assert.is((await run(db, ['user', 'add', 'ben@example.com', '--role', 'viewer'], { PGTRAIL_PASSWORD: 'the old password' })).code, 0);
  const { rows: [ben] } = await db.pool.query(`SELECT id::text FROM console.users WHERE email = 'ben@example.com'`);
  const policy = { ttlMs: 3_600_000, idleMs: 3_600_000 };
  const { token } = await createSession(db.pool, ben.id, policy, new Date(), {});
  assert.ok(await resolveSession(db.pool, token, policy, new Date()), 'positive control: the session is live before');

  const set = await run(db, ['user', 'set-password', 'BEN@example.com'], { PGTRAIL_PASSWORD: 'the new password' });
  assert.is(set.code, 0, set.err);
  assert.is(set.out, 'password set for ben@example.com; their console sessions, if any, were ended\n');
  const { rows: [u] } = await db.pool.query(`SELECT password_hash FROM console.users WHERE id = $1`, [ben.id]);
  assert.ok(await verifyPassword('the new password', u.password_hash));
  assert.not.ok(await verifyPassword('the old password', u.password_hash));
  assert.is(await resolveSession(db.pool, token, policy, new Date()), null, 'the old session is gone');
  const { rows: events } = await db.pool.query(
    `SELECT action, target_id, actor_type, metadata FROM audit.events WHERE action = 'user.set_password' ORDER BY id`);
  assert.equal(events, [{ action: 'user.set_password', target_id: ben.id, actor_type: 'db_role', metadata: { email: 'ben@example.com', sessions_ended: 1 } }]);
});

t('user set-password: unknown email, weak password and no password are exit 2, nothing changed', async ({ db }) => {
  assert.is((await run(db, ['user', 'add', 'chloe@example.com', '--role', 'viewer'], { PGTRAIL_PASSWORD: 'chloe password' })).code, 0);
  const before = await db.pool.query(`SELECT password_hash FROM console.users WHERE email = 'chloe@example.com'`);
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['user', 'set-password', 'ghost@example.com'], { PGTRAIL_PASSWORD: 'a long password' }, /^pgtrail: user set-password: no user ghost@example.com$/m],
    [['user', 'set-password'], { PGTRAIL_PASSWORD: 'a long password' }, /which email\?/],
    [['user', 'set-password', 'chloe@example.com'], { PGTRAIL_PASSWORD: 'short' }, /at least 10 characters/],
    // Not a terminal here, and no PGTRAIL_PASSWORD: nothing to read the password from.
    [['user', 'set-password', 'chloe@example.com'], {}, /no password: set PGTRAIL_PASSWORD/],
  ];
  for (const [argv, env, message] of cases) {
    const r = await run(db, argv, env);
    assert.is(r.code, 2, argv.join(' '));
    assert.match(r.err, message, argv.join(' '));
    assert.is(r.err.trim().split('\n').length <= 2, true, 'one line (plus a hint)');
  }
  const after = await db.pool.query(`SELECT password_hash FROM console.users WHERE email = 'chloe@example.com'`);
  assert.is(after.rows[0].password_hash, before.rows[0].password_hash);
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE action = 'user.set_password' AND metadata->>'email' = 'chloe@example.com'`);
  assert.is(rows[0].n, 0);
});

t('--embedded: uses the server recorded beside PGTRAIL_DATA_DIR; says so in one line when none runs', async ({ db }) => {
  const dir = await mkdtemp(join(tmpdir(), 'pgtrail-embedded-flag-'));
  try {
    const dataDir = join(dir, 'data');
    const env = { PGTRAIL_DATA_DIR: dataDir };
    const plain = (argv: string[]) => main(argv, { stdout: () => {}, stderr: (s) => void (err += s), env });
    let err = '';
    assert.is(await plain(['--embedded', 'user', 'list']), 2);
    assert.match(err, /^pgtrail: --embedded: no embedded PostgreSQL is running for .*data\nhint: start it with `npm start`/);

    // Recorded by a live process (this one): the flag reaches that server, before or after the command.
    writeState({ url: db.url, port: 0, pid: process.pid, dataDir, startedAt: new Date().toISOString() });
    await db.pool.query(`INSERT INTO console.users (email, role, password_hash) VALUES ('dana@example.com', 'viewer', 'x')`);
    for (const argv of [['--embedded', 'user', 'list'], ['user', 'list', '--embedded']]) {
      let out = '';
      err = '';
      const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env });
      assert.is(code, 0, err);
      assert.match(out, /^dana@example\.com /m, argv.join(' '));
    }
    // Without the flag the recorded server is not used silently, but the hint names the flag.
    err = '';
    assert.is(await plain(['user', 'list']), 2);
    assert.match(err, /DATABASE_URL is not set[^\n]*\nhint: `npm start` is running the embedded demo database: add --embedded/);
    // Both --embedded and DATABASE_URL: ambiguous.
    err = '';
    assert.is(await main(['--embedded', 'user', 'list'], { stdout: () => {}, stderr: (s) => void (err += s), env: { ...env, DATABASE_URL: db.url } }), 2);
    assert.match(err, /--embedded and DATABASE_URL both name a database/);

    // A record left by a process that is gone (pid of an exited child) is not a running server.
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    writeState({ url: db.url, port: 0, pid: gone, dataDir, startedAt: new Date().toISOString() });
    err = '';
    assert.is(await plain(['--embedded', 'user', 'list']), 2);
    assert.match(err, new RegExp(`the process that ran the embedded PostgreSQL for .* \\(pid ${gone}\\) is gone`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

t.run();
