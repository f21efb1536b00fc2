// Stored values digit for digit on every path: a captured row with a bigint above 2^53, numerics
// longer than a double holds and floats reads back exactly through the JSON API (list and one
// event), the console's detail (diff, full row, every field) and list (record history), and both
// exports. The expected text is PostgreSQL's own rendering of the stored jsonb.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { enableAudit } from '../src/audit/enable.ts';
import { ExactNumber, parseExact } from '../src/query/exact-json.ts';
import { createToken } from '../src/accounts/tokens.ts';
import { Client, consoleFixture, type ConsoleFixture } from './helpers/console.ts';
import { csvRecords } from './helpers/csv.ts';

interface Ctx { f: ConsoleFixture; c: Client; token: string; insertId: string; updateId: string; eventId: string }
const t = suite<Ctx>('exact-values');

// Column → the literal written, and the text jsonb must keep (to_jsonb of a float8 is its shortest text).
const BEFORE = {
  big: ['9223372036854775807', '9223372036854775807'],
  amount: ['0.1000000000000000055511151231257827', '0.1000000000000000055511151231257827'],
  pi: ['3.141592653589793238462643383279', '3.141592653589793238462643383279'],
  tiny: ['1e-7', '0.0000001'],
  scaled: ['100.50', '100.50'],
  ratio: ['3.141592653589793238', '3.141592653589793'],
} as const;
const AFTER = { big: '9007199254740993', amount: '12345678901234567890.000000000000000001' };
const DOC = '{"n": 18446744073709551616, "f": 1.0000000000000000000001}';

t.before(async (ctx) => {
  ctx.f = await consoleFixture('exact_values');
  const db = ctx.f.db.pool;
  await db.query(`CREATE TABLE public.ledger (id int PRIMARY KEY, big bigint, amount numeric, pi numeric, tiny numeric,
    scaled numeric(10,2), ratio double precision, doc jsonb)`);
  await enableAudit(db, { schema: 'public', table: 'ledger' }, {});
  await db.query(`INSERT INTO public.ledger VALUES (1, ${BEFORE.big[0]}, ${BEFORE.amount[0]}, ${BEFORE.pi[0]}, ${BEFORE.tiny[0]},
    ${BEFORE.scaled[0]}, ${BEFORE.ratio[0]}, $1)`, [DOC]);
  await db.query(`UPDATE public.ledger SET big = ${AFTER.big}, amount = ${AFTER.amount} WHERE id = 1`);
  await db.query(`SELECT audit.log_event('ledger.close', 'public.ledger', '1', '{"total": 9223372036854775807}')`);
  const { rows } = await db.query(`SELECT id::text, action FROM audit.events WHERE target_type = 'public.ledger' ORDER BY id`);
  [ctx.insertId, ctx.updateId, ctx.eventId] = rows.map((r) => r.id);
  assert.equal(rows.map((r) => r.action), ['insert', 'update', 'ledger.close']);
  const admin = await db.connect();
  try {
    ctx.token = (await createToken(admin, 'exact', 'auditor')).token;
  } finally {
    admin.release();
  }
  ctx.c = new Client(ctx.f.app);
  await ctx.c.signIn('auditor@example.com');
});
t.after(async (ctx) => ctx.f?.close());

const api = (ctx: Ctx, path: string) => ctx.f.app.request(`http://localhost/api/v1${path}`, { headers: { Authorization: `Bearer ${ctx.token}` } });
/** `"key": value` as jsonb writes it, followed by , or }. */
const token = (key: string, text: string) => new RegExp(`"${key}": ${text.replace(/[.+]/g, '\\$&')}[,}]`);

t('the fixture: PostgreSQL stores the texts this suite expects, and JSON.parse would round them', async ({ f, insertId }) => {
  const { rows: [r] } = await f.db.pool.query('SELECT new_data::text AS t FROM audit.events WHERE id = $1', [insertId]);
  for (const [key, [, stored]] of Object.entries(BEFORE)) assert.match(r.t, token(key, stored), key);
  assert.match(r.t, /"doc": \{"f": 1.0000000000000000000001, "n": 18446744073709551616\}/);
  const parsed = JSON.parse(r.t);
  assert.is.not(String(parsed.big), BEFORE.big[1], 'the control: JSON.parse rounds the bigint');
  assert.is.not(String(parsed.amount), BEFORE.amount[1], 'and the numeric');
});

t('API: the list and one event carry every number as stored, byte for byte the events\' jsonb', async (ctx) => {
  const { rows } = await ctx.f.db.pool.query(`SELECT id, old_data::text AS o, new_data::text AS n, metadata::text AS m
    FROM audit.events WHERE target_type = 'public.ledger' ORDER BY id DESC`);
  const res = await api(ctx, '/events?target_type=public.ledger');
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const text = await res.text();
  for (const r of rows) {
    for (const image of [r.o, r.n, r.m]) if (image !== null) assert.ok(text.includes(image), `row image verbatim: ${image}`);
  }
  for (const [key, [, stored]] of Object.entries(BEFORE)) assert.match(text, token(key, stored), key);
  for (const [key, stored] of Object.entries(AFTER)) assert.match(text, token(key, stored), key);
  const page = parseExact(text) as { events: Array<{ id: number; new_data: Record<string, unknown> | null }>; next_cursor: null };
  assert.equal(page.events.map((e) => String(e.id)), [ctx.eventId, ctx.updateId, ctx.insertId]);
  assert.is(page.next_cursor, null);
  assert.equal(JSON.parse(text).events.length, 3, 'plain JSON for any client');

  const one = await (await api(ctx, `/events/${ctx.updateId}`)).text();
  const update = parseExact(one) as { old_data: Record<string, ExactNumber>; new_data: Record<string, ExactNumber> };
  assert.is(update.old_data.big.text, BEFORE.big[1]);
  assert.is(update.old_data.amount.text, BEFORE.amount[1]);
  assert.is(update.new_data.big.text, AFTER.big);
  assert.is(update.new_data.amount.text, AFTER.amount);
  assert.ok(text.includes(one), 'one event is the same text as in the list');
});

t('exports: JSON Lines lines are the API\'s events; CSV cells hold the jsonb text; both exact', async (ctx) => {
  const listed = await (await api(ctx, '/events?target_type=public.ledger')).text();
  const jsonl = await (await ctx.c.get('/export.jsonl?target_type=public.ledger')).text();
  const lines = jsonl.trimEnd().split('\n');
  assert.is(lines.length, 3);
  assert.is(`{"events":[${lines.join(',')}],"next_cursor":null}`, listed, 'API page = JSON Lines, byte for byte');

  const csv = csvRecords(await (await ctx.c.get('/export.csv?target_type=public.ledger')).text());
  const { rows } = await ctx.f.db.pool.query(`SELECT id::text, old_data::text AS o, new_data::text AS n, metadata::text AS m
    FROM audit.events WHERE target_type = 'public.ledger' ORDER BY id DESC`);
  assert.equal(csv.map((r) => [r.id, r.old_data, r.new_data, r.metadata]), rows.map((r) => [r.id, r.o, r.n, r.m]));
  assert.match(csv[1].new_data!, token('big', AFTER.big));
  assert.match(csv[2].new_data!, token('amount', BEFORE.amount[1]));
});

t('console detail: the diff, the inserted row and every field show the stored digits', async (ctx) => {
  const diff = await (await ctx.c.get(`/events/${ctx.updateId}`)).text();
  const cell = (field: string) => new RegExp(`<tr class="changed"><th scope="row">${field}</th><td class="before"><code class="v">([^<]*)</code></td><td class="after"><code class="v">([^<]*)</code></td>`).exec(diff)?.slice(1);
  assert.equal(cell('big'), [BEFORE.big[1], AFTER.big]);
  assert.equal(cell('amount'), [BEFORE.amount[1], AFTER.amount]);
  assert.not.match(diff, /9223372036854775808|9007199254740992/, 'no rounded bigint anywhere');

  const all = await (await ctx.c.get(`/events/${ctx.updateId}?fields=all`)).text();
  for (const key of ['pi', 'tiny', 'scaled', 'ratio'] as const) {
    const same = new RegExp(`<tr class="same"><th scope="row">${key}</th><td class="before"><code class="v">([^<]*)</code></td><td class="after"><code class="v">([^<]*)</code></td>`).exec(all);
    assert.equal(same?.slice(1), [BEFORE[key][1], BEFORE[key][1]], key);
  }
  assert.match(all, /<code class="v">\{&quot;f&quot;:1.0000000000000000000001,&quot;n&quot;:18446744073709551616\}<\/code>/, 'nested jsonb');

  const insert = await (await ctx.c.get(`/events/${ctx.insertId}`)).text();
  for (const [key, [, stored]] of Object.entries(BEFORE)) {
    assert.match(insert, new RegExp(`<th scope="row">${key}</th><td><code class="v">${stored.replace('.', '\\.')}</code>`), key);
  }
  // "Every field" writes the row image as indented JSON, the numbers as stored.
  assert.match(insert, new RegExp(`&quot;big&quot;: ${BEFORE.big[1]},\\n`));
  assert.match(insert, new RegExp(`&quot;amount&quot;: ${BEFORE.amount[1].replace('.', '\\.')},\\n`));
});

t('console list and record history: metadata summaries keep the digits too', async (ctx) => {
  const history = await (await ctx.c.get('/events?target_type=public.ledger&target_id=1')).text();
  assert.match(history, /History of public.ledger #1/);
  assert.match(history, /<td class="details">total: 9223372036854775807<\/td>/);
  const detail = await (await ctx.c.get(`/events/${ctx.eventId}`)).text();
  assert.match(detail, /<th scope="row">total<\/th><td><code class="v">9223372036854775807<\/code>/);
});

t.run();
