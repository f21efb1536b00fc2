// exclude / redact / ignore / logUnchanged / oversized values.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { enableAudit } from '../src/audit/enable.ts';
import { REDACTED } from '../src/generator/markers.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { eventsFor } from './helpers/events.ts';

const t = suite<{ db: TestDatabase }>('options');

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('options');
  await ctx.db.pool.query(`
    CREATE TABLE contacts (id int PRIMARY KEY, email text, password_hash text, api_secret text, updated_at timestamptz DEFAULT now())`);
  await enableAudit(ctx.db.pool, { schema: 'public', table: 'contacts' },
    { exclude: ['password_hash'], redact: ['api_secret'], ignore: ['updated_at'] });
});
t.after(async (ctx) => ctx.db?.drop());

t('excluded columns appear nowhere in the event', async ({ db }) => {
  await db.pool.query(`INSERT INTO contacts (id, email, password_hash, api_secret) VALUES (1, 'a@x', 'HASH-1', 'SECRET-1')`);
  await db.pool.query(`UPDATE contacts SET password_hash = 'HASH-2', email = 'b@x'`);
  await db.pool.query(`UPDATE contacts SET password_hash = 'HASH-3'`); // only an excluded column: no event
  await db.pool.query(`DELETE FROM contacts WHERE id = 1`);
  const events = await eventsFor(db.pool, 'public.contacts');
  assert.equal(events.map((e) => e.action), ['insert', 'update', 'delete']);
  const text = JSON.stringify(events);
  assert.not.match(text, /password_hash/);
  assert.not.match(text, /HASH-/);
  assert.equal(events[1].changed_fields, ['email']);
});

t('redacted columns show a fixed mask, and a change to them is still a change', async ({ db }) => {
  await db.pool.query(`INSERT INTO contacts (id, email, api_secret) VALUES (2, 'c@x', 'SECRET-A')`);
  await db.pool.query(`UPDATE contacts SET api_secret = 'SECRET-B' WHERE id = 2`);
  await db.pool.query(`UPDATE contacts SET api_secret = NULL WHERE id = 2`);
  const events = (await eventsFor(db.pool, 'public.contacts')).filter((e) => e.target_id === '2');
  assert.not.match(JSON.stringify(events), /SECRET-/);
  assert.is(events[0].new_data!.api_secret, REDACTED);
  assert.equal(events[1].changed_fields, ['api_secret']);
  assert.equal([events[1].old_data!.api_secret, events[1].new_data!.api_secret], [REDACTED, REDACTED]);
  assert.equal([events[2].old_data!.api_secret, events[2].new_data!.api_secret], [REDACTED, null]);
});

t('an update touching only ignored columns, or changing nothing, records no event', async ({ db }) => {
  await db.pool.query(`INSERT INTO contacts (id, email) VALUES (3, 'd@x')`);
  const before = (await eventsFor(db.pool, 'public.contacts')).length;
  await db.pool.query(`UPDATE contacts SET updated_at = now() + interval '1 minute' WHERE id = 3`);
  await db.pool.query(`UPDATE contacts SET email = email WHERE id = 3`);
  assert.is((await eventsFor(db.pool, 'public.contacts')).length, before);
  await db.pool.query(`UPDATE contacts SET email = 'e@x', updated_at = now() + interval '2 minutes' WHERE id = 3`);
  const last = (await eventsFor(db.pool, 'public.contacts')).at(-1)!;
  assert.equal(last.changed_fields, ['email', 'updated_at'], 'ignored columns are listed when something else changed');
});

t('logUnchanged records no-op updates when asked', async ({ db }) => {
  await db.pool.query(`CREATE TABLE noisy (id int PRIMARY KEY, v int)`);
  await enableAudit(db.pool, { schema: 'public', table: 'noisy' }, { logUnchanged: true });
  await db.pool.query(`INSERT INTO noisy VALUES (1, 1)`);
  await db.pool.query(`UPDATE noisy SET v = v`);
  const events = await eventsFor(db.pool, 'public.noisy');
  assert.equal(events.map((e) => e.action), ['insert', 'update']);
  assert.equal(events[1].changed_fields, []);
});

t('actions: only the chosen row changes are recorded', async ({ db }) => {
  await db.pool.query(`CREATE TABLE deletes_only (id int PRIMARY KEY)`);
  await enableAudit(db.pool, { schema: 'public', table: 'deletes_only' }, { actions: ['delete'] });
  await db.pool.query(`INSERT INTO deletes_only VALUES (1), (2)`);
  await db.pool.query(`DELETE FROM deletes_only WHERE id = 1`);
  await db.pool.query(`TRUNCATE deletes_only`);
  assert.equal((await eventsFor(db.pool, 'public.deletes_only')).map((e) => e.action), ['delete']);
});

t('oversized values are replaced by size and md5, the event says so, and the write succeeds', async ({ db }) => {
  await db.pool.query(`CREATE TABLE files (id int PRIMARY KEY, name text, body bytea, notes text)`);
  await enableAudit(db.pool, { schema: 'public', table: 'files' }, { maxValueBytes: 1000 });
  // Random bytes do not compress, so the stored size really exceeds the cap.
  await db.pool.query(`INSERT INTO files SELECT 1, 'big.bin', decode(string_agg(lpad(to_hex((random() * 255)::int), 2, '0'), ''), 'hex'), 'small'
                         FROM generate_series(1, 5000)`);
  const { rows } = await db.pool.query(`SELECT md5(body) AS md5, length(body) AS len FROM files`);
  const [event] = await eventsFor(db.pool, 'public.files');
  const body = event.new_data!.body as { $pgtrail: string; bytes: number; md5: string };
  assert.equal(body, { $pgtrail: 'oversized', bytes: body.bytes, md5: rows[0].md5 });
  assert.ok(body.bytes >= 5000, `stored size ${body.bytes} reported`);
  assert.is(event.new_data!.name, 'big.bin');
  assert.is(event.new_data!.notes, 'small');
  assert.equal(event.metadata, { oversized: true });
});

t('a 300 MB value does not break the audited write (default 1 MiB cap)', async ({ db }) => {
  await db.pool.query(`CREATE TABLE blobs (id int PRIMARY KEY, body bytea)`);
  await enableAudit(db.pool, { schema: 'public', table: 'blobs' }, {});
  await db.pool.query(`ALTER TABLE blobs ALTER COLUMN body SET STORAGE EXTERNAL`); // no compression: 300 MB stored
  // Unaudited, to_jsonb of 300 MB bytea is a 600 MB hex string; the cap keeps the event small.
  await db.pool.query(`INSERT INTO blobs VALUES (1, convert_to(repeat('x', 300 * 1024 * 1024), 'UTF8'))`);
  await db.pool.query(`UPDATE blobs SET body = body || '\\x00'::bytea`);
  const events = await eventsFor(db.pool, 'public.blobs');
  assert.equal(events.map((e) => e.action), ['insert', 'update']);
  assert.equal(events[1].changed_fields, ['body']);
  assert.ok(JSON.stringify(events).length < 10_000, 'events stay small');
  const body = events[1].new_data!.body as { $pgtrail: string; bytes: number };
  assert.is(body.$pgtrail, 'oversized');
  assert.is(body.bytes, 300 * 1024 * 1024 + 1 + 4, 'stored size of the value, varlena header included');
  await db.pool.query(`DELETE FROM blobs`);
});

t.run();
