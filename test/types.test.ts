// Values reach old_data/new_data exactly as PostgreSQL's to_jsonb renders them.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { enableAudit } from '../src/audit/enable.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('types');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('types');
  await ctx.db.pool.query(`
    CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
    CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
    CREATE TABLE typed (
      id       bigint PRIMARY KEY,
      amount   numeric(12, 4),
      big      numeric,
      at       timestamptz,
      day      date,
      j        json,
      jb       jsonb,
      tags     text[],
      matrix   int[],
      blob     bytea,
      feeling  mood,
      mail     email,
      doubled  bigint GENERATED ALWAYS AS (id * 2) STORED,
      span     interval,
      place    point,
      ok       boolean,
      nothing  text
    )`);
  await enableAudit(ctx.db.pool, { schema: 'public', table: 'typed' }, {});
});
t.after(async (ctx) => ctx.db?.drop());

const values = `(1, 1.5000, 123456789012345678901234567890.123456789, '2026-03-01 12:34:56.789+02', '2026-02-28',
  '{"b": 1, "a": [1, 2]}', '{"b": 1, "a": {"c": null}}', ARRAY['x', 'y "q"', NULL], ARRAY[[1, 2], [3, 4]], '\\x00ff10',
  'happy', 'a@b.c', DEFAULT, '1 day 02:00:00', '(1.5,2)', true, NULL)`;

t('each column in new_data equals to_jsonb of the same value', async ({ db }) => {
  await db.pool.query(`INSERT INTO typed VALUES ${values}`);
  const { rows } = await db.pool.query(`
    SELECT e.new_data AS recorded, to_jsonb(t) AS expected
      FROM audit.events e, typed t
     WHERE e.target_type = 'public.typed' AND e.action = 'insert' AND t.id = 1`);
  assert.equal(rows[0].recorded, rows[0].expected);
  const recorded = rows[0].recorded;
  assert.is(recorded.doubled, 2, 'generated columns carry their computed value');
  assert.is(recorded.nothing, null, 'NULLs are kept as JSON null');
  assert.is(recorded.blob, '\\x00ff10');
  assert.equal(recorded.j, { b: 1, a: [1, 2] });
  assert.equal(recorded.tags, ['x', 'y "q"', null]);
  assert.is(recorded.feeling, 'happy');
});

t('numeric and timestamptz keep full precision as text in the JSONB', async ({ db }) => {
  const { rows } = await db.pool.query(`
    SELECT new_data->>'big' AS big, new_data->>'amount' AS amount, new_data->>'at' AS at
      FROM audit.events WHERE target_type = 'public.typed' AND action = 'insert'`);
  assert.is(rows[0].big, '123456789012345678901234567890.123456789');
  assert.is(rows[0].amount, '1.5000');
  // to_jsonb renders timestamptz in the session's TimeZone; the instant is what must survive.
  assert.is(new Date(rows[0].at).toISOString(), '2026-03-01T10:34:56.789Z');
});

t('changes only in representation are changes: numeric scale, json key order, geometric values', async ({ db }) => {
  await db.pool.query(`UPDATE typed SET amount = 1.5, j = '{"a": [1, 2], "b": 1}', place = '(1.5,3)'`);
  const { rows } = await db.pool.query(`
    SELECT changed_fields FROM audit.events WHERE target_type = 'public.typed' AND action = 'update'`);
  // amount is numeric(12,4), so 1.5 is stored as 1.5000 again: no change there.
  assert.equal(rows[0].changed_fields, ['j', 'place']);
});

t('an update of a json or point column to the same text records no event', async ({ db }) => {
  const before = (await db.pool.query(`SELECT count(*)::int AS n FROM audit.events`)).rows[0].n;
  await db.pool.query(`UPDATE typed SET j = j, place = place, tags = tags, blob = blob`);
  const after = (await db.pool.query(`SELECT count(*)::int AS n FROM audit.events`)).rows[0].n;
  assert.is(after, before);
});

t.run();
