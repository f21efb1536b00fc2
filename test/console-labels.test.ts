// The console reads like the application: labels in the list and on the detail page, the verb
// first with the row action beside it, the type name where no label was recorded, a verb filter
// with the declared verbs offered (400 with the reason for a bad one), and label text escaped.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { enableAudit } from '../src/audit/enable.ts';
import { parseVerbRule } from '../src/generator/verbs.ts';
import { Client, consoleFixture, type ConsoleFixture } from './helpers/console.ts';

const t = suite<{ f: ConsoleFixture; c: Client }>('console-labels');

t.before(async (ctx) => {
  ctx.f = await consoleFixture('console_labels');
  const db = ctx.f.db.pool;
  await db.query(`CREATE TABLE campaigns (id int PRIMARY KEY, subject text, status text)`);
  await db.query(`CREATE TABLE lists (id int PRIMARY KEY, name text)`);
  await enableAudit(db, { schema: 'public', table: 'campaigns' }, {
    label: `'Broadcast: ' || subject`, typeName: 'Broadcast', entity: 'campaign', verbs: [parseVerbRule('send:status=sent'), parseVerbRule('pause:status=paused')],
  });
  await enableAudit(db, { schema: 'public', table: 'lists' }, { typeName: 'Segment' });
  await db.query(`INSERT INTO campaigns VALUES (38, 'May Newsletter #38', 'draft'), (39, '<script>alert(1)</script>', 'draft')`);
  await db.query(`UPDATE campaigns SET status = 'sent' WHERE id = 38`);
  await db.query(`INSERT INTO lists VALUES (7, 'VIPs')`);
  ctx.c = new Client(ctx.f.app);
  await ctx.c.signIn('viewer@example.com');
});
t.after(async (ctx) => ctx.f?.close());

t('the list reads "Broadcast: May Newsletter #38 · send": label, then the verb with the row action beside it', async ({ c }) => {
  const html = await (await c.get('/events?target_type=public.campaigns&target_id=38')).text();
  assert.match(html, /<span class="tlabel" title="public.campaigns #38" data-target="public.campaigns #38">Broadcast: May Newsletter #38<\/span>/);
  assert.match(html, /<span class="verb-badge" data-verb="send"><span class="act act-update act-verb">send<\/span><span class="act-row" title="row action: update">update<\/span><\/span>/);
  assert.match(html, /<span class="act act-insert">insert<\/span>/, 'an insert without a verb shows its action');
});

t('without a label the declared type name is shown with the id; label text is escaped, never raw', async ({ c }) => {
  const html = await (await c.get('/events')).text();
  assert.match(html, /<span class="tname">Segment<\/span><span class="tid">#7<\/span>/);
  assert.not.match(html, /<script>alert\(1\)<\/script>/);
  assert.match(html, /Broadcast: &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
});

t('verb filter: one or several, the declared verbs offered; a bad verb is a 400 that names the field', async ({ c }) => {
  const one = await (await c.get('/events?verb=send', { 'HX-Request': 'true' })).text();
  assert.match(one, /data-count="1"/);
  const page = await (await c.get('/events?verb=send,pause')).text();
  assert.match(page, /<input id="f-verb" name="verb" type="text" value="send,pause"/);
  assert.match(page, /<datalist id="verbs"><option value="pause"><\/option><option value="send"><\/option><\/datalist>/);
  const none = await (await c.get('/events?verb=pause', { 'HX-Request': 'true' })).text();
  assert.match(none, /data-count="0"/, 'positive control: the filter narrows');
  const bad = await c.get('/events?verb=Send!');
  assert.is(bad.status, 400);
  const text = await bad.text();
  assert.match(text, /data-field="verb"/);
  assert.match(text, /verb: &quot;Send!&quot; is not a verb/);
});

t('the detail page shows label, type name, target and verb', async ({ f, c }) => {
  const { rows } = await f.db.pool.query(`SELECT id FROM audit.events WHERE verb = 'send'`);
  const res = await c.get(`/events/${rows[0].id}`);
  assert.is(res.status, 200);
  const html = await res.text();
  assert.match(html, /<dd data-label="">Broadcast: May Newsletter #38<\/dd>/);
  assert.match(html, /<dd data-verb="send">send <span class="muted">\(row action update\)<\/span><\/dd>/);
  assert.match(html, /<code>public.campaigns<\/code><code class="tid">#38<\/code>/);
  assert.match(html, /<dd data-type-name="">Broadcast<\/dd>/);
});

t.run();
