// The optional free-text index (migration 0006, `pgtrail search-index`): off by default, enabled
// partition by partition and idempotently, inherited by new partitions, used by the planner for a
// search with a time window, and never changing which rows a search finds (hostile terms included);
// disabled cleanly, also by the migration's down; the CLI's exit codes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { parseFilter, type EventFilter } from '../src/query/filter.ts';
import { countEvents, listEvents } from '../src/query/list.ts';
import { wherePredicate } from '../src/query/predicate.ts';
import { planQuery } from '../src/query/plan.ts';
import { buildCopySql } from '../src/export/copy-sql.ts';
import { disableSearchIndex, enableSearchIndex, searchIndexStatus, type BuildStep } from '../src/maintenance/search-index.ts';
import { migrate } from '../src/install/migrate.ts';
import type { Queryable } from '../src/db/queryable.ts';
import { cli } from './helpers/cli.ts';
import { requireOr } from './helpers/requirements.ts';
import { createTestDatabase, urlFor as adminUrlOf, withAdmin, type TestDatabase } from './helpers/database.ts';

/** Whether the one query plan tests `q` through the index (what list, count and export are handed). */
const usesIndex = async (db: Queryable, f: EventFilter, now?: Date) => (await planQuery(db, f, now)).usesSearchIndex;

const t = suite<{ db: TestDatabase; client: pg.Client; before: Map<string, Result> }>('search-index');
const NOW = new Date('2025-03-20T12:00:00Z');
const secret = 's';

// Field values that stress case folding (final sigma, ß, dotted İ, titlecase ǅ), LIKE's wildcards
// and escape, quotes, and characters outside the BMP; every one also appears in some other case.
const NAMES = ['Σίσυφος ΟΔΥΣΣΕΥΣ', 'straße STRASSE', "O'Brien \\ back", '100%_real', 'İstanbul istanbul', 'ǅemal', '✓ ok', '😀 grin', null];
const TERMS = ['%', '_', '\\', "'", "o'brien", '100%_r', '%_r', 'ΟΔΥΣ', 'οδυσσευς', 'σίσυφος', 'STRASSE', 'straße', 'İstanbul',
  'ǆemal', '😀 G', '✓', 'rare.person', 'RARE.PERSON@EXAMPLE', 'e.com\u001fu', 'contacts', 'update', 'zzz-nothing', 'ab', "'; --"];

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('search_index');
  ctx.client = new pg.Client({ connectionString: ctx.db.url });
  await ctx.client.connect();
  const db = ctx.db.pool;
  await db.query(`SELECT audit.ensure_partition(d) FROM generate_series(timestamptz '2025-01-01Z', '2025-03-01Z', interval '1 month') AS d`);
  // 60,000 events over 2025-01-01 .. 2025-03-20, a handful by a rare actor, some with hostile names
  // and target ids; and a few in the default partition (before 2025), which needs the index too.
  await db.query(`
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user)
    SELECT timestamptz '2025-01-01Z' + g * interval '113 seconds', g,
           (ARRAY['insert', 'update', 'update', 'delete', 'auth.sign_in'])[1 + g % 5],
           (ARRAY['public.contacts', 'public.lists', 'public.campaigns'])[1 + g % 3],
           CASE WHEN g % 101 = 0 THEN (ARRAY['50%', 'a_b', 'it''s', 'x\\y'])[1 + g % 4] ELSE (g % 4000)::text END,
           'user', CASE WHEN g % 7919 = 0 THEN 'actor-rare' ELSE 'u' || (g % 150) END,
           CASE WHEN g % 7919 = 0 THEN 'Rare.Person@example.com'
                WHEN g % 13 = 0 THEN ($1::text[])[1 + (g / 13) % ${NAMES.length}]
                ELSE 'person' || (g % 150) || '@example.com' END,
           'app'
      FROM generate_series(1, 60000) AS g`, [NAMES]);
  await db.query(`INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user)
                  VALUES ('2024-06-01Z', 1, 'update', 'public.contacts', '1', 'user', 'u1', 'Σίσυφος rare.person', 'app')`);
  await db.query('ANALYZE audit.events');
  // What every search finds before the index exists: the reference for "same rows with it".
  ctx.before = new Map();
  for (const term of TERMS) for (const f of filters(term)) ctx.before.set(key(f), await result(db, f));
});
t.after(async (ctx) => {
  await ctx.client?.end();
  await ctx.db?.drop();
});

function filters(term: string): EventFilter[] {
  return [{ q: term }, { q: term, window: '7d' }, { q: term, from: new Date('2025-01-20Z'), to: new Date('2025-02-10Z'), action: ['update'] }];
}
const key = (f: EventFilter) => JSON.stringify(f);

interface Result { ids: number[]; count: number; capped: boolean; firstPage: number[]; copy: number }

async function result(db: pg.Pool, f: EventFilter): Promise<Result> {
  const where = wherePredicate(f, NOW, { searchIndex: await usesIndex(db, f, NOW) }).toQuery();
  const ids = (await db.query(`SELECT id FROM audit.events WHERE ${where.text} ORDER BY id DESC`, where.values)).rows.map((r) => Number(r.id));
  const { count, capped } = await countEvents(db, f, NOW);
  const firstPage = (await listEvents(db, f, { limit: 20, secret, now: NOW })).events.map((e) => e.id);
  // The COPY text, as an export sends it, counted.
  const copySql = buildCopySql(f, { format: 'jsonl', now: NOW, searchIndex: await usesIndex(db, f, NOW) });
  const inner = copySql.replace(/^COPY \((.*)\) TO STDOUT.*$/s, '$1');
  const copy = (await db.query(`SELECT count(*)::int AS n FROM (${inner}) AS x`)).rows[0].n;
  return { ids, count, capped, firstPage, copy };
}

interface PlanNode { 'Node Type': string; 'Index Name'?: string; Plans?: PlanNode[] }
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

/** The index names in the plans of the statements listEvents and countEvents send. */
async function indexesUsed(db: pg.Pool, query: string): Promise<{ list: string[]; count: string[] }> {
  const sent: Array<{ text: string; values?: unknown[] }> = [];
  const recorder: Queryable = { query: (text, values) => { sent.push({ text, values }); return db.query(text, values); } };
  const filter = parseFilter(new URLSearchParams(query));
  await listEvents(recorder, filter, { limit: 50, secret, now: NOW });
  const listSql = sent.at(-1)!;
  await countEvents(recorder, filter, NOW);
  const countSql = sent.at(-1)!;
  const names = async (s: { text: string; values?: unknown[] }) =>
    nodes((await db.query(`EXPLAIN (FORMAT JSON) ${s.text}`, s.values)).rows[0]['QUERY PLAN'][0].Plan).map((n) => n['Index Name']).filter((x): x is string => !!x);
  return { list: await names(listSql), count: await names(countSql) };
}

t('off by default: no index, and the q predicate is the plain per-field test', async ({ db }) => {
  const status = await searchIndexStatus(db.pool);
  assert.is(status.state, 'off');
  assert.is(status.indexed, 0);
  assert.ok(status.partitions >= 4, 'the premade partitions and the default one');
  assert.is(await usesIndex(db.pool, { q: 'rare.person' }), false);
  assert.not.match(wherePredicate({ q: 'rare.person' }, NOW, { searchIndex: false }).toQuery().text, /search_text/);
  // A term too short for a trigram never gets the index test, index or not.
  assert.not.match(wherePredicate({ q: 'ab' }, NOW, { searchIndex: true }).toQuery().text, /search_text/);
  // With the index, the indexed test replaces the per-field ILIKE (the same rows: see predicate.ts),
  // except for a term holding the separator, which could match across two fields.
  assert.is(wherePredicate({ q: 'abc' }, NOW, { searchIndex: true }).toQuery().text,
    'audit.search_text(actor_name, actor_id, target_id, target_type, action, target_label) LIKE lower($1::text)');
  assert.match(wherePredicate({ q: 'a\u001fbc' }, NOW, { searchIndex: true }).toQuery().text, /LIKE lower\(\$1::text\) AND \(actor_name ILIKE \$2::text OR/);
});

t('enable builds every partition, newest first; a second enable does nothing; new partitions get it', async ({ db, client }) => {
  const steps: BuildStep[] = [];
  const status = await enableSearchIndex(client, (s) => steps.push(s));
  assert.is(status.state, 'on');
  assert.is(status.indexed, status.partitions);
  assert.ok(status.bytes > 0);
  assert.is(steps.length, status.partitions, 'one CREATE INDEX CONCURRENTLY per partition');
  assert.ok(steps.every((s) => s.statement.startsWith('CREATE INDEX CONCURRENTLY')));
  assert.is(steps.at(-1)!.partition, 'events_default');
  assert.equal(steps.slice(0, -1).map((s) => s.partition), steps.slice(0, -1).map((s) => s.partition).sort().reverse(), 'newest first');
  const { rows } = await db.pool.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'audit.events_search_idx'::regclass`);
  assert.is(rows[0].indisvalid, true, 'the partitioned index is valid: every partition attached');

  const again: BuildStep[] = [];
  assert.equal(await enableSearchIndex(client, (s) => again.push(s)), status, 'idempotent');
  assert.is(again.length, 0);

  // A partition made later (by premake or maintenance) comes with its index attached.
  await db.pool.query(`SELECT audit.ensure_partition('2031-05-10Z')`);
  const later = await searchIndexStatus(db.pool);
  assert.is(later.state, 'on');
  assert.is(later.partitions, status.partitions + 1);
  assert.is(later.indexed, later.partitions);
  // Maintenance moving the strays out of the default partition (detach, new partitions, a new
  // default one) keeps every partition indexed.
  const moved = (await db.pool.query(`SELECT action, partition FROM audit.maintain() WHERE action = 'moved'`)).rows;
  assert.equal(moved.map((r) => r.partition), ['events_p20240601'], 'the 2024 event left the default partition');
  const afterMaintenance = await searchIndexStatus(db.pool);
  assert.is(afterMaintenance.state, 'on');
  assert.is(afterMaintenance.indexed, afterMaintenance.partitions);
  assert.is(await usesIndex(db.pool, { q: 'rare.person' }, NOW), true);
  assert.is(await usesIndex(db.pool, { q: 'rare.person', window: '7d' }, NOW), true);
  // A window shorter than SHORT_WINDOW_MS (6 h) is scanned: quicker than reading the term's entries.
  assert.is(await usesIndex(db.pool, { q: 'rare.person', window: '1h' }, NOW), false);
  assert.is(await usesIndex(db.pool, { q: 'rare.person', from: new Date('2025-03-01T10:00Z'), to: new Date('2025-03-01T15:00Z') }, NOW), false);
  assert.is(await usesIndex(db.pool, { q: 'rare.person', to: new Date('2025-03-01T15:00Z') }, NOW), true, 'no start: the whole past')
  await db.pool.query('ANALYZE audit.events');
});

t('an interrupted build is resumed: an invalid partition index is dropped and built again', async ({ db, client }) => {
  // What a cancelled CREATE INDEX CONCURRENTLY leaves: an invalid index on one partition, not attached.
  // (Marking an index invalid needs a superuser: the test harness connects as one.)
  await disableSearchIndex(client);
  await db.pool.query(`CREATE INDEX events_p20250201_search_idx ON audit.events_p20250201 (id)`);
  await db.pool.query(`UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'audit.events_p20250201_search_idx'::regclass`);
  const steps: BuildStep[] = [];
  const status = await enableSearchIndex(client, (s) => steps.push(s));
  assert.is(status.state, 'on');
  const feb = steps.filter((s) => s.partition === 'events_p20250201').map((s) => s.statement.split(' ').slice(0, 3).join(' '));
  assert.equal(feb, ['DROP INDEX CONCURRENTLY', 'CREATE INDEX CONCURRENTLY']);
  const { rows } = await db.pool.query(`SELECT pg_get_indexdef('audit.events_p20250201_search_idx'::regclass) AS def`);
  assert.match(rows[0].def, /USING gin \(audit\.search_text\(/, 'rebuilt with the real definition');
  await db.pool.query('ANALYZE audit.events');
});

t('with the index, a search with a time window is answered through it (page and count)', async ({ db }) => {
  for (const query of ['q=rare.person&window=7d', 'q=rare.person&from=2025-01-10&to=2025-02-20', 'q=RARE.PERSON@EXAMPLE&window=30d']) {
    const used = await indexesUsed(db.pool, query);
    assert.ok(used.list.some((i) => i.endsWith('_search_idx')), `${query}: page plan uses ${used.list.join(', ')}`);
    assert.ok(used.count.some((i) => i.endsWith('_search_idx')), `${query}: count plan uses ${used.count.join(', ')}`);
  }
});

t('same rows with the index as without it, for hostile and case-folded terms (list, count, COPY)', async ({ db, before }) => {
  for (const term of TERMS) {
    for (const f of filters(term)) {
      const expected = before.get(key(f))!;
      assert.equal(await result(db.pool, f), expected, `without the planner's choice: ${key(f)}`);
      // The same again with the index forced wherever it can be used.
      const c = await db.pool.connect();
      try {
        await c.query('BEGIN');
        await c.query('SET LOCAL enable_seqscan = off');
        await c.query('SET LOCAL enable_indexscan = off');
        const where = wherePredicate(f, NOW, { searchIndex: true }).toQuery();
        const ids = (await c.query(`SELECT id FROM audit.events WHERE ${where.text} ORDER BY id DESC`, where.values)).rows.map((r) => Number(r.id));
        assert.equal(ids, expected.ids, `index forced: ${key(f)}`);
      } finally {
        await c.query('ROLLBACK');
        c.release();
      }
    }
  }
  assert.ok(before.get(key({ q: 'σίσυφος' }))!.ids.length >= 2, 'the case-folded terms do find rows');
  assert.ok(before.get(key({ q: '100%_r' }))!.ids.length > 0);
  assert.is(before.get(key({ q: '%_r' }))!.ids.length, before.get(key({ q: '100%_r' }))!.ids.length, '% and _ are literal');
});

t('disable drops it with every partition index; searches go back to the plain test', async ({ db, client }) => {
  assert.is(await disableSearchIndex(client), true);
  const status = await searchIndexStatus(db.pool);
  assert.is(status.state, 'off');
  assert.is(status.indexed, 0);
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'audit' AND indexdef LIKE '%search_text%'`);
  assert.is(rows[0].n, 0);
  assert.is(await usesIndex(db.pool, { q: 'rare.person' }), false);
  assert.is(await disableSearchIndex(client), false, 'a second disable has nothing to drop');
});

t('migrating down with the index enabled removes it with the functions', async () => {
  const other = await createTestDatabase('search_index_down');
  const c = new pg.Client({ connectionString: other.url });
  await c.connect();
  try {
    await enableSearchIndex(c);
    await migrate(c, { direction: 'down' });
    const { rows } = await c.query(`SELECT to_regnamespace('audit') AS s`);
    assert.is(rows[0].s, null);
    assert.ok((await migrate(c)).includes('0006_search_index'), 'and up again');
  } finally {
    await c.end();
    await other.drop();
  }
});

t('CLI: enable, status, disable; one-line errors with exit 2', async ({ db }) => {
  const enabled = await cli(db.url, 'search-index', 'enable');
  assert.is(enabled.code, 0, enabled.stderr);
  assert.match(enabled.stdout, /^search index: +on /m);
  assert.match(enabled.stderr, /^indexed events_p20250301 \(\d+\.\d s\)$/m);
  const status = await cli(db.url, 'search-index', 'status', '--json');
  assert.is(status.code, 0, status.stderr);
  const json = JSON.parse(status.stdout);
  assert.is(json.state, 'on');
  assert.is(json.indexed, json.partitions);
  const disabled = await cli(db.url, 'search-index', 'disable');
  assert.is(disabled.code, 0, disabled.stderr);
  assert.match(disabled.stdout, /^search index dropped/);

  const refused: Array<[string | undefined, string[], RegExp]> = [
    [db.url, ['search-index'], /^pgtrail: search-index: say enable, disable or status\n/],
    [db.url, ['search-index', 'rebuild'], /^pgtrail: search-index: unknown action "rebuild"/],
    [db.url, ['search-index', 'enable', '--json'], /^pgtrail: search-index: --json applies to status only\n/],
    [undefined, ['search-index', 'status'], /^pgtrail: DATABASE_URL is not set/],
  ];
  for (const [url, args, message] of refused) {
    const run = await cli(url, ...args);
    assert.is(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.is(run.stdout, '');
  }
});

t('CLI: a role that may not create pg_trgm, or may not act as pgtrail_owner, is told so (exit 2)', async () => {
  const other = await createTestDatabase('search_index_roles');
  const role = `si_${other.name.slice(-6)}`;
  await withAdmin((c) => c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw'`));
  try {
    const url = new URL(other.url);
    url.username = role;
    url.password = 'pw';
    await withAdmin((c) => c.query(`REVOKE CREATE ON DATABASE ${other.name} FROM PUBLIC`), other.name);
    const noTrgm = await cli(url.toString(), 'search-index', 'enable');
    assert.is(noTrgm.code, 2, noTrgm.stderr);
    assert.match(noTrgm.stderr, /^pgtrail: pg_trgm is not installed in this database and this role may not create it\nhint: /);

    await withAdmin((c) => c.query('CREATE EXTENSION pg_trgm'), other.name);
    const notOwner = await cli(url.toString(), 'search-index', 'enable');
    assert.is(notOwner.code, 2, notOwner.stderr);
    assert.match(notOwner.stderr, /^pgtrail: permission denied: .*pgtrail_owner/);
  } finally {
    await other.drop();
    await withAdmin((c) => c.query(`DROP ROLE IF EXISTS ${role}`));
  }
});

t.run();

// A suite of its own: it needs a server built with ICU, and is reported as skipped where there is none.
const icu = suite('search-index-icu');
icu.before(async (ctx) => {
  const met = await withAdmin(async (c) => (await c.query(`SELECT count(*)::int AS n FROM pg_collation WHERE collprovider = 'i'`)).rows[0].n > 0);
  requireOr(ctx, { met, reason: 'the test server has no ICU collations', remedy: 'run the suite on a PostgreSQL built with ICU (--with-icu)' });
});

icu('same rows in a database whose default collation is ICU (context-dependent case rules: final sigma)', async () => {
  // ICU lower-cases Σ at the end of a word to ς, elsewhere to σ: the one place where lower() of the
  // joined fields could differ from the fields' own lower().
  const name = `t_search_icu_${Date.now().toString(36)}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'und'`));
  const url = new URL(adminUrlOf(name));
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    await migrate(c);
    await c.query(`INSERT INTO audit.events (tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, db_user)
                   SELECT g, 'update', 'public.contacts', (ARRAY['ΣΑΣ', 'Σ', 'xΣ'])[1 + g % 3], 'user', 'ΟΔΥΣΣΕΥΣ', n, 'app'
                     FROM unnest($1::text[]) WITH ORDINALITY AS x(n, g)`, [NAMES.filter(Boolean)]);
    const ids = async (f: EventFilter, searchIndex: boolean) => {
      const w = wherePredicate(f, NOW, { searchIndex }).toQuery();
      return (await c.query(`SELECT id FROM audit.events WHERE ${w.text} ORDER BY id`, w.values)).rows.map((r) => Number(r.id));
    };
    const before = new Map<string, number[]>();
    const terms = [...TERMS, 'σας', 'ας\u001fο', 'ΣΑΣ', 'ευς', 'ΕΥΣ', 'υσσ', 'οδυσσευς', 'ς'];
    for (const term of terms) before.set(term, await ids({ q: term }, false));
    assert.ok(before.get('ευς')!.length > 0 && before.get('σας')!.length > 0, 'ICU folds a final Σ to ς');
    await enableSearchIndex(c);
    for (const term of terms) assert.equal(await ids({ q: term }, true), before.get(term), term);
  } finally {
    await c.end();
    await withAdmin((a) => a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
});

icu.run();
