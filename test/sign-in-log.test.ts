// The sign-in log over HTTP: result and reason as columns, as filters (GET form without JS, htmx
// fragment from the same route, export links that keep them), and every unknown value a 400 that
// names the parameter and the values it takes. The events are made by real sign-ins.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Client, consoleFixture, type ConsoleFixture } from './helpers/console.ts';

const t = suite<{ f: ConsoleFixture; c: Client }>('sign-in-log');

t.before(async (ctx) => {
  ctx.f = await consoleFixture('sign_in_log', { throttle: { maxPerEmail: 2 } });
  const f = ctx.f;
  // Two wrong passwords lock viewer@ (bad_credentials twice), a third try is refused (locked);
  // an unknown email fails too; the auditor signs in, out, and in again.
  const brute = new Client(f.app, { 'x-forwarded-for': '192.0.2.9', 'user-agent': 'brute/1.0' });
  for (let i = 0; i < 2; i++) assert.is((await brute.signIn('viewer@example.com', `guess ${i}`)).status, 401);
  assert.is((await brute.signIn('viewer@example.com')).status, 429);
  assert.is((await brute.signIn('nobody@example.com', 'x')).status, 401);
  ctx.c = new Client(f.app);
  await ctx.c.signIn('auditor@example.com');
  await ctx.c.post('/sign-out', { _csrf: await csrf(ctx.c) });
  await ctx.c.signIn('auditor@example.com');
});
t.after(async (ctx) => ctx.f?.close());

async function csrf(c: Client): Promise<string> {
  const html = await (await c.get('/events')).text();
  return /name="_csrf" value="([^"]+)"/.exec(html)![1];
}

const count = (html: string) => /data-count="([^"]+)"/.exec(html)?.[1];
/** [result, reason] of each row, as the cells carry them. */
const rows = (html: string) => [...html.matchAll(/<td class="result" data-result="([^"]*)">[\s\S]*?<td class="reason" data-reason="([^"]*)"/g)].map((m) => [m[1], m[2]]);

t('result and reason are columns; a failed sign-in shows why, others have no reason', async ({ c }) => {
  const html = await (await c.get('/sign-ins')).text();
  assert.match(html, /<th scope="col" class="c-result">Result<\/th><th scope="col" class="c-reason">Reason<\/th>/);
  assert.not.match(html, /class="c-action"/, 'the result column stands for the action');
  assert.equal(rows(html), [
    ['signed_in', ''], ['signed_out', ''], ['signed_in', ''],
    ['failed', 'bad_credentials'], ['failed', 'locked'], ['failed', 'bad_credentials'], ['failed', 'bad_credentials'],
  ], 'newest first');
  assert.match(html, /<span class="act act-failed" title="auth.sign_in_failed">failed<\/span>/);
  assert.match(html, /<td class="reason" data-reason="locked" title="too many failed attempts[^"]*">locked<\/td>/);
});

t('result and reason filter the log; the form echoes them; htmx gets the fragment from the same route', async ({ c }) => {
  const failed = await (await c.get('/sign-ins?result=failed')).text();
  assert.is(count(failed), '4');
  assert.ok(rows(failed).every(([r]) => r === 'failed'));
  assert.match(failed, /<select id="f-result" name="result">[\s\S]*?<option value="failed" selected="">failed<\/option>/);
  assert.match(failed, /<form id="filters"[^>]*method="get" action="\/sign-ins"/, 'a plain GET form: works without JavaScript');

  const locked = await (await c.get('/sign-ins?reason=locked')).text();
  assert.equal(rows(locked), [['failed', 'locked']]);
  assert.match(locked, /<option value="locked" selected="">locked<\/option>/);
  assert.equal(rows(await (await c.get('/sign-ins?result=failed&reason=bad_credentials')).text()).map(([, r]) => r), ['bad_credentials', 'bad_credentials', 'bad_credentials']);
  assert.is(count(await (await c.get('/sign-ins?result=signed_out')).text()), '1');
  assert.is(count(await (await c.get('/sign-ins?result=signed_in')).text()), '2');
  assert.is(count(await (await c.get('/sign-ins?result=failed&ip=192.0.2.9')).text()), '4', 'with the other filters');
  assert.is(count(await (await c.get('/sign-ins?result=')).text()), '7', 'an empty field (as a form sends it) is no filter');

  const fragment = await c.get('/sign-ins?result=failed&reason=locked', { 'HX-Request': 'true' });
  assert.is(fragment.status, 200);
  const body = await fragment.text();
  assert.match(body, /^<section id="results"/);
  assert.not.match(body, /<form id="filters"/);
  assert.equal(rows(body), [['failed', 'locked']]);
});

t('the export links carry result, reason and the log\'s auth.* preset, and export exactly those events', async ({ c }) => {
  const html = await (await c.get('/sign-ins?result=failed&reason=bad_credentials')).text();
  const href = /href="(\/export\.csv[^"]*)"/.exec(html)![1].replace(/&amp;/g, '&');
  assert.is(href, '/export.csv?result=failed&reason=bad_credentials&action=auth.*');
  const csv = await (await c.get(href)).text();
  assert.is(csv.trim().split('\n').length, 1 + 3, 'header and the three bad_credentials failures');
  const all = /href="(\/export\.csv[^"]*)"/.exec(await (await c.get('/sign-ins')).text())![1];
  assert.is(all, '/export.csv?action=auth.*', 'the whole log exports sign-in events only, not every event');
});

t('an unknown result or reason is a 400 naming the parameter and the values it takes, page and fragment', async ({ c }) => {
  const cases: Array<[string, string, RegExp]> = [
    ['result=ok', 'result', /result: "ok" is not a sign-in result; use one of signed_in, failed, signed_out/],
    ['result=FAILED', 'result', /use one of signed_in, failed, signed_out/],
    ['result=failed&result=signed_in', 'result', /may be given only once/],
    ['reason=typo', 'reason', /reason: "typo" is not a reason a sign-in fails for; use one of bad_credentials, locked/],
    ['result=signed_in&reason=locked', 'reason', /only failed sign-ins have a reason; use it with result=failed, not result=signed_in/],
  ];
  for (const [query, field, message] of cases) {
    for (const hx of [false, true]) {
      const res = await c.get(`/sign-ins?${query}`, hx ? { 'HX-Request': 'true' } : {});
      assert.is(res.status, 400, `${query}${hx ? ' (htmx)' : ''}`);
      const html = (await res.text()).replace(/&quot;/g, '"');
      assert.match(html, message, query);
      assert.match(html, new RegExp(`data-field="${field}"`), query);
      if (!hx) assert.match(html, new RegExp(`<select id="f-${field}" name="${field}" aria-invalid="true"`), `${query}: the field is marked`);
    }
  }
  // The same parser serves the API and the exports.
  const api = await c.get('/export.csv?result=ok');
  assert.is(api.status, 400);
  assert.match(await api.text(), /result: \\?"ok\\?" is not a sign-in result/);
});

t.run();
