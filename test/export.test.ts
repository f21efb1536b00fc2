// The COPY builder and the export formats, through the API route as a client sees them:
// hostile values for every filter give exactly the rows of the parameterised listEvents (or a 400),
// CSV parses back losslessly, formula-like cells are guarded unless raw=1, JSON Lines equals the
// API's JSON, one export is one snapshot.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { buildCopySql } from '../src/export/copy-sql.ts';
import { EVENT_FIELDS, type EventJson } from '../src/query/columns.ts';
import { FILTER_KEYS, parseFilter, type EventFilter } from '../src/query/filter.ts';
import { listEvents, MAX_LIMIT } from '../src/query/list.ts';
import { createToken } from '../src/accounts/tokens.ts';
import { apiApp, bearer, consoleRolePool, exportEvents, waitFor } from './helpers/api.ts';
import { csvRecords, parseCsv } from './helpers/csv.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase; api: pg.Pool; token: string; app: ReturnType<typeof apiApp> }>('export');
const secret = 'export-test-secret';

// Values that have broken SQL builders, CSV writers and JSON pipelines somewhere.
const HOSTILE = [
  "o'brien", "it''s", "'", "''", 'back\\slash', '\\', "\\'; DROP TABLE audit.events; --", "'); DELETE FROM audit.events; --",
  '$$', '$$; SELECT 1; $$', '$tag$x$tag$', "E'\\x41'", "e'\\\\'", "U&'\\0041'", 'semi;colon', 'quote"d, comma', '"', '""',
  'new\nline', 'crlf\r\nline', 'tab\there', 'ctrl\u0001\u0002\u001f', 'ünïcödé 🎉 漢字 ﷽', '%', '_', '%_like\\%', '*',
  '=cmd|\' /C calc\'!A0', '+1', '-2', '@SUM(1)', '\tlead-tab', '\rlead-cr', ' ', '',
];
const TEXT_FILTERS = ['actor_id', 'actor', 'target_type', 'target_id', 'q'] as const;

async function allListed(db: pg.Pool, filter: EventFilter): Promise<EventJson[]> {
  const events: EventJson[] = [];
  let cursor: string | undefined;
  do {
    const page = await listEvents(db, filter, { limit: MAX_LIMIT, cursor, secret });
    events.push(...page.events);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return events;
}

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('export');
  // One event per hostile value, carrying it in every free-text column and inside the JSON ones,
  // plus ordinary events around them.
  await ctx.db.pool.query(`
    INSERT INTO audit.events (tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, user_agent, request_id, db_user, app_name, old_data, new_data, changed_fields, metadata)
    SELECT 900000000 + n, 'update', v, v, 'user', v, v, '10.1.2.3', v, v, 'app', v,
           jsonb_build_object('name', v, 'n', n), jsonb_build_object('name', v || '!', 'n', n + 0.5, 'nested', jsonb_build_array(v, null, true)),
           ARRAY['name', v], jsonb_build_object('note', v)
      FROM unnest($1::text[]) WITH ORDINALITY AS h(v, n)`, [HOSTILE]);
  await ctx.db.pool.query(`
    INSERT INTO audit.events (tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, db_user, new_data)
    SELECT g, (ARRAY['insert', 'auth.sign_in'])[1 + g % 2], 'public.contacts', g::text, 'system', 'job', 'Nightly Job', NULL, 'app', jsonb_build_object('id', g)
      FROM generate_series(1, 120) g`);
  ctx.api = consoleRolePool(ctx.db.url);
  const admin = await ctx.db.pool.connect();
  ctx.token = (await createToken(admin, 'export-test', 'auditor')).token;
  admin.release();
  ctx.app = apiApp({ pool: ctx.api, secret });
});
t.after(async (ctx) => {
  await ctx.api?.end();
  await ctx.db?.drop();
});

/** listEvents for `filter`, up to and including the export's own audit.export event. */
async function listedUpToExport(ctx: { api: pg.Pool; db: TestDatabase }, filter: EventFilter, headers: Headers): Promise<EventJson[]> {
  const { rows } = await ctx.db.pool.query(
    `SELECT id FROM audit.events WHERE action = 'audit.export' AND target_id = $1`, [headers.get('x-pgtrail-export-id')]);
  const startId = Number(rows[0].id);
  return (await allListed(ctx.api, filter)).filter((e) => e.id <= startId);
}

/**
 * One export through the API. The export records its end (audit.export_completed) after the body
 * is sent; that event is waited for here, so it never lands inside the next export's snapshot
 * (committed after that export's start event, or numbered before it and committed after its COPY
 * began), which listedUpToExport could not tell from the export's own rows.
 */
async function download(ctx: { app: ReturnType<typeof apiApp>; token: string; db: TestDatabase }, format: 'csv' | 'jsonl', params: URLSearchParams): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await ctx.app.request(`/api/v1/events.${format}?${params}`, bearer(ctx.token));
  const body = await res.text();
  const id = res.headers.get('x-pgtrail-export-id');
  if (res.status === 200 && id) {
    for (let tries = 0; ; tries++) {
      const { rows } = await ctx.db.pool.query(`SELECT 1 FROM audit.events WHERE action IN ('audit.export_completed', 'audit.export_failed') AND target_id = $1`, [id]);
      if (rows.length) break;
      if (tries === 200) throw new Error(`export ${id} never recorded its end`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  return { status: res.status, body, headers: res.headers };
}

/** A cell as the CSV export writes it: formula-like text gets a leading quote unless raw. */
function guard(value: string | null, raw: boolean): string | null {
  if (value === null || raw) return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The CSV record of an API event, compared field by field (JSON columns parsed). */
function assertCsvMatches(record: Record<string, string | null>, event: EventJson, raw: boolean): void {
  assert.equal(Object.keys(record), [...EVENT_FIELDS], 'header order');
  for (const field of EVENT_FIELDS) {
    const cell = record[field];
    const value = event[field];
    if (field === 'id' || field === 'tx_id') assert.is(cell, String(value), field);
    else if (['old_data', 'new_data', 'metadata', 'changed_fields'].includes(field)) assert.equal(cell === null ? null : JSON.parse(cell), value, field);
    else assert.is(cell, guard(value as string | null, field === 'occurred_at' || raw), `${field} of event ${event.id}`);
  }
}

t('hostile values in every text filter: CSV and JSON Lines hold exactly the listEvents rows, losslessly', async (ctx) => {
  let checked = 0;
  for (const key of TEXT_FILTERS) {
    for (const value of HOSTILE) {
      const params = new URLSearchParams({ [key]: value });
      const filter: EventFilter = parseFilter(params); // none of these is refused; the route test below covers 400s
      // The export's own audit.export event is committed before its COPY starts, so it belongs in
      // the export when the filters match it; its end event comes after. Listing afterwards, up to
      // the start event, gives exactly the snapshot the export saw (no other writer runs here).
      const csv = await download(ctx, 'csv', params);
      assert.is(csv.status, 200, `${key}=${JSON.stringify(value)}: ${csv.body}`);
      const listed = await listedUpToExport(ctx, filter, csv.headers);
      const records = csvRecords(csv.body);
      assert.equal(records.map((r) => r.id), listed.map((e) => String(e.id)), `${key}=${JSON.stringify(value)}: same rows, same order`);
      records.forEach((r, i) => assertCsvMatches(r, listed[i], false));

      const jsonl = await download(ctx, 'jsonl', params);
      assert.is(jsonl.status, 200);
      const listedJ = await listedUpToExport(ctx, filter, jsonl.headers);
      const lines = jsonl.body === '' ? [] : jsonl.body.replace(/\n$/, '').split('\n');
      assert.equal(lines.map((l) => JSON.parse(l)), listedJ, `${key}=${JSON.stringify(value)}: JSON Lines == API JSON`);
      checked += listed.length;
    }
  }
  assert.ok(checked > HOSTILE.length * 3, `hostile filters matched their events (${checked} rows compared)`);
  // Each hostile value, as actor_id, finds exactly its own event (whitespace-only values are absent filters).
  const own = await allListed(ctx.api, { actor_id: "\\'; DROP TABLE audit.events; --" });
  assert.is(own.length, 1);
});

t('hostile values in every other filter are a 400 before anything runs, NUL in any filter too', async (ctx) => {
  const exports = async () => (await ctx.db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE action = 'audit.export'`)).rows[0].n as number;
  const before = await exports();
  for (const key of FILTER_KEYS) {
    const values = TEXT_FILTERS.includes(key as (typeof TEXT_FILTERS)[number]) ? ['a\0b'] : [...HOSTILE.filter((v) => v.trim() !== '' && v !== '*'), 'a\0b'];
    for (const value of values) {
      for (const format of ['csv', 'jsonl'] as const) {
        const res = await download(ctx, format, new URLSearchParams({ [key]: value }));
        assert.is(res.status, 400, `${key}=${JSON.stringify(value)} → ${res.status} ${res.body.slice(0, 200)}`);
        assert.match(JSON.parse(res.body).error, new RegExp(`^${key}: `));
      }
    }
  }
  assert.is(await exports(), before, 'a refused export is not recorded as one');
  // Positive control: the same count sees an export that is accepted.
  const accepted = await download(ctx, 'csv', new URLSearchParams({ actor_id: 'nobody-has-this-id' }));
  assert.is(accepted.status, 200, accepted.body.slice(0, 200));
  assert.is(await exports(), before + 1, 'an accepted export is recorded');
});

t('the builder inlines values only through the literal path: no hostile text survives unquoted', () => {
  for (const value of HOSTILE.filter((v) => v.trim() !== '')) {
    const sql = buildCopySql({ actor: value, target_id: value, q: value }, { format: 'csv' });
    // Remove every quoted literal ('…' with '' inside, or E'…' with \\ and '' inside); what is left
    // must be the builder's own text with no trace of the value's dangerous parts.
    const bare = sql.replace(/E?'(?:[^'\\]|''|\\.)*'/g, "''");
    assert.not.match(bare, /DROP|DELETE|\$\$|\$tag\$|SELECT 1;/, `value leaked: ${JSON.stringify(value)}`);
    assert.is(bare.split(';').length, 1, 'no statement separator outside literals');
  }
  assert.throws(() => buildCopySql({ actor: 'a\0b' }, { format: 'csv' }), /NUL/);
});

t('CSV: header, column order, RFC 4180 quoting, UTC times with Z, NULL vs empty, parses back losslessly', async (ctx) => {
  const res = await download(ctx, 'csv', new URLSearchParams({ raw: '1' }));
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'text/csv; charset=utf-8; header=present');
  assert.match(res.headers.get('content-disposition')!, /^attachment; filename="pgtrail-events-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.csv"$/);
  const rows = parseCsv(res.body);
  assert.equal(rows[0], [...EVENT_FIELDS]);
  const listed = await listedUpToExport(ctx, {}, res.headers);
  const records = csvRecords(res.body);
  assert.is(records.length, listed.length);
  records.forEach((r, i) => assertCsvMatches(r, listed[i], true));
  assert.ok(records.every((r) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(r.occurred_at!)));
  const empty = records.find((r) => r.actor_id === '');
  assert.ok(empty, "an empty string comes back as '' (quoted), distinct from NULL");
  assert.is(records.find((r) => r.actor_id === 'job')!.ip, null, 'NULL comes back as an unquoted empty field');
  const ids = records.map((r) => Number(r.id));
  assert.equal(ids, [...ids].sort((a, b) => b - a), 'newest first, like the console');
});

t('formula neutralisation: = + - @ tab CR get a leading quote in every text column; raw=1 keeps them', async (ctx) => {
  for (const value of ['=cmd|\' /C calc\'!A0', '+1', '-2', '@SUM(1)', '\tlead-tab', '\rlead-cr']) {
    // Filters trim what people type, so the event is found by its transaction instead.
    const { rows } = await ctx.db.pool.query('SELECT tx_id::text FROM audit.events WHERE actor_id = $1', [value]);
    const params = new URLSearchParams({ tx_id: rows[0].tx_id });
    const [guarded] = csvRecords((await download(ctx, 'csv', params)).body);
    for (const field of ['target_type', 'target_id', 'actor_id', 'actor_name', 'user_agent', 'request_id', 'app_name'] as const) {
      assert.is(guarded[field], `'${value}`, `${field} guarded for ${JSON.stringify(value)}`);
    }
    assert.equal(JSON.parse(guarded.metadata!), { note: value }, 'JSON cells start with { and stay valid JSON');
    params.set('raw', '1');
    const [raw] = csvRecords((await download(ctx, 'csv', params)).body);
    assert.is(raw.actor_name, value);
  }
  const [inner] = csvRecords((await download(ctx, 'csv', new URLSearchParams({ actor_id: 'quote"d, comma' }))).body);
  assert.is(inner.actor_name, 'quote"d, comma', 'a formula character later in the value is no formula');
  const bad = await download(ctx, 'csv', new URLSearchParams({ raw: 'yes' }));
  assert.is(bad.status, 400);
});

t('JSON Lines: one event per line, byte-for-byte what the API returns once parsed, newest first', async (ctx) => {
  const res = await download(ctx, 'jsonl', new URLSearchParams());
  assert.is(res.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
  assert.ok(res.body.endsWith('\n'));
  const lines = res.body.slice(0, -1).split('\n');
  const listed = await listedUpToExport(ctx, {}, res.headers);
  assert.is(lines.length, listed.length);
  assert.equal(lines.map((l) => JSON.parse(l)), listed);
  // Backslashes are not doubled (COPY's text format would): the hostile backslash survives as one.
  const slash = lines.map((l) => JSON.parse(l) as EventJson).find((e) => e.actor_id === 'back\\slash')!;
  assert.is(slash.old_data!.name, 'back\\slash');
  // The API's single event agrees too.
  const one = await ctx.app.request(`/api/v1/events/${slash.id}`, bearer(ctx.token));
  assert.equal(await one.json(), slash);
});

t('one export is one snapshot: a transaction that commits mid-export is not half-included', async (ctx) => {
  const writer = await ctx.db.pool.connect();
  try {
    await writer.query('BEGIN');
    const { rows } = await writer.query(
      `INSERT INTO audit.events (tx_id, action, target_type, actor_type, db_user) VALUES (1, 'late.commit', 'bulk', 'system', 'app') RETURNING id::text`);
    const lateId = rows[0].id;
    // Committed rows on both sides of it in id order.
    await ctx.db.pool.query(`INSERT INTO audit.events (tx_id, action, target_type, actor_type, db_user, new_data)
      SELECT g, 'insert', 'bulk', 'system', 'app', jsonb_build_object('pad', repeat('x', 300)) FROM generate_series(1, 5000) g`);
    const visible = (await ctx.db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE target_type = 'bulk'`)).rows[0].n;
    const res = await ctx.app.request('/api/v1/events.jsonl?q=bulk', bearer(ctx.token));
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value, { stream: true });
    await writer.query('COMMIT');
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
    const ids = text.trim().split('\n').map((l) => String(JSON.parse(l).id));
    assert.is(ids.length, visible);
    assert.not.ok(ids.includes(lateId), 'the late commit is not in the export');
  } finally {
    writer.release();
  }
});

t('every export is recorded: who, filters, format, then the row count', async (ctx) => {
  const res = await ctx.app.request('/api/v1/events.csv?action=auth.*&actor=job&window=30d', bearer(ctx.token));
  const exportId = res.headers.get('x-pgtrail-export-id')!;
  const rows = csvRecords(await res.text()).length;
  assert.is(rows, 60);
  const events = await waitFor(async () => {
    const e = await exportEvents(ctx.db.pool, exportId);
    return e.length === 2 ? e : undefined;
  }, 5000, 'export events');
  assert.equal(events.map((e) => e.action), ['audit.export', 'audit.export_completed']);
  assert.is(events[0].actor_type, 'api_token');
  assert.is(events[0].actor_name, 'export-test');
  assert.equal(events[0].metadata.filters, { actor: 'job', action: ['auth.*'], window: '30d' });
  assert.is(events[0].metadata.format, 'csv');
  assert.is(events[0].metadata.raw, false);
  assert.match(String(events[0].metadata.window_from), /Z$/);
  assert.is(events[1].metadata.rows, rows);
  assert.ok(Number(events[1].metadata.bytes) > 0);
});

t.run();
