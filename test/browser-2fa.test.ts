// Two-factor sign-in end to end in a real headless browser: the admin opens their account, sets up
// two-factor sign-in (the QR code is drawn on the page; the test types the shown secret into its own
// TOTP, as an authenticator app would), confirms with a computed code, sees ten recovery codes,
// signs out, and signs back in with the password and then a code. Without Chromium the suite is
// skipped, saying so (failed in CI): test/helpers/browser.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { base32Decode, hotp, stepAt } from '../src/accounts/totp.ts';
import type { RunningConsole } from '../src/server/serve.ts';
import type { TestDatabase } from './helpers/database.ts';
import { demoConsole, launchChromium, openPage, requireChromium } from './helpers/browser.ts';

const PASSWORD = 'browser 2fa password';

const t = suite<{ db: TestDatabase; server: RunningConsole; browser: Browser; page: Page; problems: string[] }>('browser-2fa');

t.before(async (ctx) => {
  requireChromium(ctx);
  ({ db: ctx.db, server: ctx.server } = await demoConsole('browser_2fa', PASSWORD));
  ctx.browser = await launchChromium();
  ({ page: ctx.page, problems: ctx.problems } = await openPage(ctx.browser, { viewport: { width: 1280, height: 900 }, locale: 'en-GB' }));
});

t.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.server?.close();
  await ctx.db?.drop();
});

t('enrol a second factor from the account page, sign out, sign back in with password and code', async ({ db, server, page, problems }) => {
  const base = server.url.replace(/\/$/, '');
  const since = Number((await db.pool.query('SELECT max(id) AS n FROM audit.events')).rows[0].n);
  await page.goto(`${base}/sign-in`);
  await page.fill('#email', 'admin@example.com');
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/events`);

  await page.click('header .me a.who');
  await page.waitForURL(`${base}/account`);
  await page.click('text=Set up two-factor sign-in');
  await page.waitForURL(`${base}/account/2fa`);
  await page.click('button:has-text("Start")');
  await page.waitForURL(`${base}/account/2fa`);
  const qr = await page.locator('svg.qr').boundingBox();
  assert.ok(qr && qr.width >= 150 && Math.abs(qr.width - qr.height) < 1, `the QR code is drawn, square (${JSON.stringify(qr)})`);
  const secret = base32Decode((await page.textContent('#totp-secret'))!);
  assert.is(secret.length, 20);

  // The server's clock is this machine's: the code an app would show now.
  await page.fill('#code', hotp(secret, stepAt(Date.now())));
  await page.click('button:has-text("Confirm")');
  await page.waitForSelector('#recovery-codes');
  assert.is(await page.locator('#recovery-codes li').count(), 10);
  await page.click('text=I have saved them');
  await page.waitForURL(`${base}/account`);
  assert.match((await page.textContent('#h-2fa + p'))!, /On\. Sign-in asks for a code/);

  await page.click('header button:has-text("Sign out")');
  await page.waitForURL(`${base}/sign-in?signed_out=1`);
  await page.fill('#email', 'admin@example.com');
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('h1:has-text("Two-factor sign-in")');
  assert.is(await page.locator('header .me').count(), 0, 'not signed in yet');
  // The enrolment spent this step's code (a replay is refused); the app's next code is within the
  // accepted window (±1 step), so the test need not wait 30 s for it.
  await page.fill('#code', hotp(secret, stepAt(Date.now()) + 1));
  await page.click('button:has-text("Verify")');
  await page.waitForURL(`${base}/events`);
  assert.is(await page.textContent('header .me a.who'), 'admin@example.com');

  const { rows } = await db.pool.query(
    `SELECT action, metadata FROM audit.events WHERE id > $1 AND actor_name = 'admin@example.com' AND action IN ('auth.2fa_enrol', 'auth.sign_in', 'auth.sign_out') ORDER BY id`, [since]);
  assert.equal(rows.map((r) => [r.action, r.metadata?.factors ?? null]), [
    ['auth.sign_in', ['password']], ['auth.2fa_enrol', null], ['auth.sign_out', null], ['auth.sign_in', ['password', 'totp']],
  ]);
  assert.equal(problems, [], 'no script errors or CSP violations');
});

t.run();
