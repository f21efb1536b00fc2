import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { migrate } from '../src/migrate.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('migrations');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('migrations', { migrated: false });
});
t.after(async (ctx) => ctx.db?.drop());

async function schemaSnapshot(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query(`
    SELECT c.relkind::text || ' ' || c.relname AS o FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'audit'
    UNION ALL
    SELECT 'f ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'audit'
    ORDER BY 1`);
  return rows.map((r) => r.o);
}

t('up installs the audit schema, down removes it, up again gives the same schema', async ({ db }) => {
  const client = await db.pool.connect();
  try {
    // Every shipped migration, in order (the list grows with each release).
    const shipped = (await readdir(fileURLToPath(new URL('../migrations', import.meta.url)))).map((f) => f.replace(/\.\w+$/, '')).sort();
    assert.equal(shipped.slice(0, 2), ['0001_core', '0002_maintenance']);
    assert.equal(await migrate(client), shipped);
    const first = await schemaSnapshot(client);
    assert.ok(first.includes('p events'), 'audit.events is a partitioned table');
    assert.ok(first.includes('f set_context'));
    assert.ok(first.some((o) => /^r events_p\d{8}$/.test(o)), 'partitions were premade');

    assert.equal(await migrate(client, { direction: 'down' }), [...shipped].reverse());
    assert.equal(await schemaSnapshot(client), []);
    const { rows } = await client.query(`SELECT to_regnamespace('audit') AS s, to_regnamespace('console') AS c`);
    assert.is(rows[0].s, null);
    assert.is(rows[0].c, null, 'the console schema (0003) goes too');

    await migrate(client);
    assert.equal(await schemaSnapshot(client), first);
    assert.equal(await migrate(client), [], 'a second up has nothing to do');
  } finally {
    client.release();
  }
});

t.run();
