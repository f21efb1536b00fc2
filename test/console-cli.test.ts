// `pgtrail user add|list|remove` and `pgtrail serve`'s argument checks, run in-process.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli/main.ts';
import { verifyPassword } from '../src/console/passwords.ts';
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

t.run();
