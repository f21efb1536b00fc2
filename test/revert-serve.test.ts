// How a DBA turns revert on: PGTRAIL_REVERT_DATABASE_URL is validated with the rest of the
// environment, `serve` says at start whether revert is enabled and as which role, and a URL that
// does not connect stops the start with the reason instead of a console whose button fails later.
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../src/config.ts';
import { UserError } from '../src/db/errors.ts';
import { startConsole } from '../src/server/serve.ts';
import { createTestDatabase, urlFor, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('revert-serve');
t.before(async (ctx) => {
  ctx.db = await createTestDatabase('revert_serve');
});
t.after(async (ctx) => ctx.db?.drop());

const env = (extra: Record<string, string> = {}) => loadConfig({ PGTRAIL_TOTP_KEY: randomBytes(32).toString('base64url'), ...extra });

async function startLines(db: TestDatabase, extra: Record<string, string> = {}): Promise<string[]> {
  const lines: string[] = [];
  const running = await startConsole({ databaseUrl: db.url, port: 0, host: '127.0.0.1', config: env(extra), log: (l) => lines.push(l) });
  await running.close();
  return lines;
}

t('PGTRAIL_REVERT_DATABASE_URL must be a postgres URL', () => {
  try {
    env({ PGTRAIL_REVERT_DATABASE_URL: 'mysql://root@localhost/app' });
    assert.unreachable('accepted');
  } catch (error) {
    assert.instance(error, UserError);
    assert.match((error as Error).message, /^PGTRAIL_REVERT_DATABASE_URL: must start with postgres:\/\/ or postgresql:\/\//);
  }
  assert.is(env({ PGTRAIL_REVERT_DATABASE_URL: 'postgresql://u@h/db' }).PGTRAIL_REVERT_DATABASE_URL, 'postgresql://u@h/db');
});

t('the start says whether revert is enabled, and as which role', async ({ db }) => {
  assert.ok((await startLines(db)).includes('revert: not enabled (set PGTRAIL_REVERT_DATABASE_URL to a login that may write the audited tables)'));
  const role = (await db.pool.query('SELECT current_user AS r')).rows[0].r;
  assert.ok((await startLines(db, { PGTRAIL_REVERT_DATABASE_URL: db.url })).includes(`revert: enabled, as role ${role}`));
});

t('a revert URL that does not connect stops the start, saying why', async ({ db }) => {
  try {
    await startLines(db, { PGTRAIL_REVERT_DATABASE_URL: urlFor(`${db.name}_missing`) });
    assert.unreachable('started');
  } catch (error) {
    assert.instance(error, UserError);
    assert.match((error as Error).message, /database in .* does not exist/);
  }
});

t.run();
