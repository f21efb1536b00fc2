// Labels and verb rules are DBA-written text rendered into a SECURITY DEFINER capture function.
// Hostile input is refused with the reason (CLI exit 2, one line) or neutralised by construction:
// whatever is accepted is written out token by token (names via quoteIdent, text via quoteLiteral,
// a dollar quote that occurs nowhere in the body), so the stored text is recorded literally and
// nothing else runs. Positive controls: the same shapes, harmless, are accepted and recorded.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { enableAudit } from '../src/audit/enable.ts';
import { parseLabel } from '../src/generator/label.ts';
import { parseVerbRule } from '../src/generator/verbs.ts';
import { cli, type Run } from './helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase }>('capture-labels-hostile');
const COLUMNS = ['id', 'subject', 'status', 'end'];

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('capture_labels_hostile');
  await ctx.db.pool.query(`CREATE TABLE notes (id int PRIMARY KEY, subject text, status text, "end" int)`);
  await ctx.db.pool.query(`CREATE TABLE secrets (v text)`);
  await ctx.db.pool.query(`INSERT INTO secrets VALUES ('top secret')`);
});
t.after(async (ctx) => ctx.db?.drop());

function assertUserError(run: Run, pattern: RegExp): void {
  assert.is(run.code, 2, `exit code 2, got ${run.code}: ${run.stderr}`);
  const lines = run.stderr.trimEnd().split('\n');
  assert.ok(lines[0].startsWith('pgtrail: '), run.stderr);
  assert.ok(lines.length === 1 || (lines.length === 2 && lines[1].startsWith('hint: ')), run.stderr);
  assert.not.match(run.stderr, /\n\s+at /);
  assert.match(lines[0], pattern);
}

t('hostile label expressions are refused, each with its reason', () => {
  const cases: Array<[string, RegExp]> = [
    [`subject; DROP TABLE notes`, /";" is not allowed/],
    [`subject $pgtrail$; DROP TABLE notes; $pgtrail$`, /"\$" is not allowed/],
    [`subject -- comment`, /comments are not allowed/],
    [`subject /* c */`, /comments are not allowed/],
    [`subject ||/* c */ 'x'`, /comments are not allowed/],
    [`(SELECT v FROM secrets)`, /"select" is not allowed/],
    [`subject || (select v from secrets)`, /"select" is not allowed/],
    [`(VALUES ('x'))`, /"values" is not allowed/],
    [`(TABLE secrets)`, /"table" is not allowed/],
    [`query_to_xml('select v from secrets', true, true, '')::text`, /function "query_to_xml" is not allowed/],
    [`pg_read_file('/etc/passwd')`, /function "pg_read_file" is not allowed/],
    [`count(*)`, /function "count" is not allowed/],
    [`generate_series(1, 3)`, /function "generate_series" is not allowed/],
    [`pg_catalog.upper(subject)`, /unexpected character "\."/],
    [`E'\\x27' || subject`, /escape, Unicode and bit strings are not allowed/],
    [`U&"subject"`, /escape, Unicode and bit strings are not allowed/],
    [`subject, status`, /must be one expression/],
    [`missing_column || 'x'`, /column "missing_column" does not exist/],
    [`"Subject"`, /column "Subject" does not exist/],
    [`subject::regclass`, /cast to "regclass" is not allowed/],
    [`'unterminated`, /unterminated string/],
    [`upper(subject`, /unbalanced/],
    [`subject)`, /unbalanced/],
    [``, /is empty/],
  ];
  for (const [expression, reason] of cases) {
    assert.throws(() => parseLabel(expression, COLUMNS), (e: Error) => reason.test(e.message), expression);
  }
  // Positive controls: the allowed shapes.
  for (const ok of [`'Note: ' || subject`, `coalesce(subject, 'untitled') || ' #' || id::text`, `CASE WHEN "end" > 0 THEN upper(subject) ELSE status END`,
    `substring(subject FROM 1 FOR 10)`, `cast(id AS text)`, `'a;b -- $x$ /* c */' || subject`]) {
    parseLabel(ok, COLUMNS);
  }
});

t('hostile verb rules are refused with the reason', () => {
  const cases: Array<[string, RegExp]> = [
    [`Send:status=sent`, /not a verb/],
    [`send now:status=sent`, /not a verb/],
    [`'; DROP TABLE notes; --:status=sent`, /not a verb/],
    [`send`, /not a rule/],
    [`send:=sent`, /not a rule|which column/],
    [`send:status=${'x'.repeat(201)}`, /longer than 200 bytes/],
  ];
  for (const [rule, reason] of cases) assert.throws(() => parseVerbRule(rule), (e: Error) => reason.test(e.message), rule);
});

t('text that looks like SQL inside labels, verb values and type names is recorded literally; nothing else runs', async ({ db }) => {
  const hostile = `'; DROP TABLE secrets; -- $pgtrail$ $pgtrail1$ */`;
  await enableAudit(db.pool, { schema: 'public', table: 'notes' }, {
    label: `'${hostile.replace(/'/g, "''")}' || subject`,
    typeName: `Note'); DROP TABLE secrets; --`,
    verbs: [parseVerbRule(`close:status=${hostile}`), parseVerbRule(`close:status="null"`)],
  });
  await db.pool.query(`INSERT INTO notes VALUES (1, 'a', 'open', 0)`);
  await db.pool.query(`UPDATE notes SET status = $1`, [hostile]);
  await db.pool.query(`UPDATE notes SET status = 'null'`);
  const { rows } = await db.pool.query(`SELECT action, target_label, verb FROM audit.events WHERE target_type = 'public.notes' ORDER BY id`);
  assert.equal(rows, [
    { action: 'insert', target_label: `${hostile}a`, verb: null },
    { action: 'update', target_label: `${hostile}a`, verb: 'close' },
    { action: 'update', target_label: `${hostile}a`, verb: 'close' },
  ]);
  assert.is((await db.pool.query(`SELECT v FROM secrets`)).rows[0].v, 'top secret', 'the other table is still there');
  const { rows: fn } = await db.pool.query(`SELECT prosrc FROM pg_proc AS p WHERE p.proname LIKE 'capture\\_public\\_notes%'`);
  assert.ok(fn[0].prosrc.includes('$pgtrail$ $pgtrail1$'), 'the dollar quotes in the text stayed inside the body (its own tag occurs nowhere in it)');
  const { rows: stored } = await db.pool.query(`SELECT options FROM audit.audited_tables WHERE table_name = 'notes'`);
  assert.is(stored[0].options.typeName, `Note'); DROP TABLE secrets; --`);
});

t('pgtrail enable: a label that does not parse, names a missing column, is two expressions, or does not type-check exits 2 with one line', async ({ db }) => {
  await db.pool.query(`CREATE TABLE lab (id int PRIMARY KEY, subject text, n int)`);
  assertUserError(await cli(db.url, 'enable', 'public.lab', '--label', `subject ||`), /--label: syntax error/);
  assertUserError(await cli(db.url, 'enable', 'public.lab', '--label', `nope`), /--label: column "nope" does not exist/);
  assertUserError(await cli(db.url, 'enable', 'public.lab', '--label', `subject, n`), /--label: must be one expression/);
  assertUserError(await cli(db.url, 'enable', 'public.lab', '--label', `upper(n, n)`), /--label: function upper\(integer, integer\) does not exist/);
  assertUserError(await cli(db.url, 'enable', 'public.lab', '--label', `(select 1)`), /--label: "select" is not allowed/);
  assertUserError(await cli(db.url, 'enable', 'public.lab', '--verb', `send:nope=x`), /--verb send: column "nope" does not exist/);
  assertUserError(await cli(db.url, 'enable', 'public.lab', '--verb', `Send:n=1`), /--verb: "Send" is not a verb/);
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM audit.audited_tables WHERE table_name = 'lab'`);
  assert.is(rows[0].n, 0, 'nothing was enabled');
  const ok = await cli(db.url, 'enable', 'public.lab', '--label', `'Lab ' || subject`, '--type-name', 'Lab', '--entity', 'lab', '--verb', 'bump:n', '--verb', 'name:subject!=null');
  assert.is(ok.code, 0, ok.stderr);
  const { rows: stored } = await db.pool.query(`SELECT options FROM audit.audited_tables WHERE table_name = 'lab'`);
  assert.equal([stored[0].options.label, stored[0].options.typeName, stored[0].options.entity, stored[0].options.verbs], [
    `'Lab ' || subject`, 'Lab', 'lab',
    [{ verb: 'bump', column: 'n', change: 'changes', value: null }, { verb: 'name', column: 'subject', change: 'leaves', value: null }],
  ]);
  const again = await cli(db.url, 'enable', 'public.lab');
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /unchanged/, 'enable without flags keeps the declared label and verbs');
  const status = await cli(db.url, 'status');
  assert.is(status.code, 0, status.stderr);
  assert.ok(status.stdout.includes(`--label "'Lab ' || subject" --type-name "Lab" --entity "lab" --verb "bump:n" --verb "name:subject!=null"`), status.stdout);
});

t('a label or verb over a redacted or excluded column is refused: its value would leak into target_label or the verb', async ({ db }) => {
  await db.pool.query(`CREATE TABLE accounts (id int PRIMARY KEY, email text, password text, ssn text)`);
  const enable = (...flags: string[]) => cli(db.url, 'enable', 'public.accounts', '--redact', 'password', '--exclude', 'ssn', ...flags);
  assertUserError(await enable('--label', `email || password`), /--label: column "password" is redacted; the label would record its value/);
  assertUserError(await enable('--label', `email || ssn`), /--label: column "ssn" (is excluded|does not exist)/);
  assertUserError(await enable('--verb', `rotate:password`), /--verb rotate: column "password" is redacted; a verb over it would reveal its value/);
  assertUserError(await enable('--verb', `leak:ssn=123`), /--verb leak: column "ssn" (is excluded|does not exist)/);
  const ok = await enable('--label', `'Account ' || email`, '--verb', 'rename:email');
  assert.is(ok.code, 0, `positive control: the visible columns are fine (${ok.stderr})`);
  await db.pool.query(`INSERT INTO accounts VALUES (1, 'a@example.com', 'hunter2', '123-45')`);
  const { rows } = await db.pool.query(`SELECT target_label FROM audit.events WHERE target_type = 'public.accounts'`);
  assert.equal(rows, [{ target_label: 'Account a@example.com' }]);
});

t.run();
