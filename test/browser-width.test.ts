// The event list and the sign-in log stay whole from 1024 px wide up, in a real headless browser
// (same setup as test/browser.test.ts: the real server on a loopback port, the demo's events):
// every column header, the last column ("Changed / details", "User agent") included, is visible,
// inside the viewport and wide enough for its title, and so is a filled cell of that column; times
// are not cut; the page never scrolls sideways. Without Chromium the suite is skipped, saying so (failed in CI).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import type { RunningConsole } from '../src/server/serve.ts';
import type { TestDatabase } from './helpers/database.ts';
import { demoConsole, launchChromium, openPage, requireChromium } from './helpers/browser.ts';

const PASSWORD = 'browser width password';
/** The narrowest supported width, the width where the compact columns end, and the default ones. */
const WIDTHS = [1024, 1100, 1279, 1280, 1440];

const t = suite<{ db: TestDatabase; server: RunningConsole; browser: Browser; page: Page; base: string }>('browser-width');

t.before(async (ctx) => {
  requireChromium(ctx);
  ({ db: ctx.db, server: ctx.server } = await demoConsole('browser_width', PASSWORD));
  ctx.browser = await launchChromium();
  ({ page: ctx.page } = await openPage(ctx.browser, { viewport: { width: 1024, height: 768 }, locale: 'en-GB' }));
  ctx.base = ctx.server.url.replace(/\/$/, '');
  await ctx.page.goto(`${ctx.base}/sign-in`);
  await ctx.page.fill('#email', 'admin@example.com');
  await ctx.page.fill('#password', PASSWORD);
  await ctx.page.click('button[type=submit]');
  await ctx.page.waitForURL(`${ctx.base}/events`);
});

t.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.server?.close();
  await ctx.db?.drop();
});

/** What is wrong with the element's box at this width ('' when it is visible and inside). */
async function outside(page: Page, selector: string, width: number): Promise<string> {
  const el = page.locator(selector).first();
  if (!(await el.isVisible())) return `${selector}: not visible`;
  const box = await el.boundingBox();
  if (!box) return `${selector}: no box`;
  if (box.x < 0 || box.x + box.width > width + 0.5) return `${selector}: x ${box.x.toFixed(0)}..${(box.x + box.width).toFixed(0)} outside 0..${width}`;
  return '';
}

/** Checks the list at each width: headers, the last column's header and a filled cell of it. */
async function checkWidths(page: Page, url: string, headers: string[], lastCell: string, minLast: number): Promise<string[]> {
  const bad: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 768 });
    await page.goto(url);
    for (const h of [...headers, 'th.c-details', lastCell]) {
      const problem = await outside(page, h, width);
      if (problem) bad.push(`${width}px ${problem}`);
    }
    // Titles and times are never cut (other cells may end in an ellipsis).
    for (const sel of [...headers, 'th.c-details', 'td.time']) {
      // The text's own width against the cell's content box, unrounded (scrollWidth hides a cut of < 1 px).
      const [text, room] = await page.locator(sel).first().evaluate((e) => {
        const r = document.createRange();
        r.selectNodeContents(e);
        const cs = getComputedStyle(e);
        const inset = ['paddingLeft', 'paddingRight', 'borderLeftWidth', 'borderRightWidth'].reduce((sum, k) => sum + parseFloat(cs[k as 'paddingLeft']), 0);
        return [r.getBoundingClientRect().width, e.getBoundingClientRect().width - inset];
      });
      if (text > room + 0.01) bad.push(`${width}px ${sel}: its text does not fit (${text.toFixed(1)} > ${room.toFixed(1)} px)`);
    }
    const box = await page.locator('th.c-details').evaluate((e) => e.getBoundingClientRect().width);
    if (box < minLast) bad.push(`${width}px th.c-details only ${box.toFixed(0)} px wide`);
    const cell = await page.locator(lastCell).first().evaluate((e) => e.getBoundingClientRect().width);
    if (cell < minLast) bad.push(`${width}px ${lastCell} only ${cell.toFixed(0)} px wide`);
    const sideways = await page.evaluate(() => document.scrollingElement!.scrollWidth - document.scrollingElement!.clientWidth);
    if (sideways > 0) bad.push(`${width}px the page scrolls sideways by ${sideways} px`);
  }
  return bad;
}

t('events: at 1024 × 768 and wider, "Changed / details" and its cells are visible and inside the viewport', async ({ page, base }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto(`${base}/events?action=update`);
  const header = page.locator('th.c-details');
  assert.is(await header.textContent(), 'Changed / details');
  assert.is(await outside(page, 'th.c-details', 1024), '');
  const cell = page.locator('td.details:not(:empty)').first();
  assert.ok((await cell.textContent())!.length > 0, 'an update names its changed columns');
  assert.is(await outside(page, 'td.details:not(:empty)', 1024), '');
  assert.equal(await checkWidths(page, `${base}/events?action=update`, ['th.c-time', 'th.c-action', 'th.c-target', 'th.c-actor', 'th.c-ip'], 'td.details:not(:empty)', 140), []);
});

t('sign-in log: at 1024 × 768 and wider, result, reason and user agent are visible and inside the viewport', async ({ page, base }) => {
  assert.equal(await checkWidths(page, `${base}/sign-ins?result=failed`, ['th.c-time', 'th.c-result', 'th.c-reason', 'th.c-actor', 'th.c-ip'], 'td.details:not(:empty)', 140), []);
  assert.is(await outside(page, 'td.reason[data-reason="locked"]', WIDTHS.at(-1)!), '', 'a reason cell');
});

t.run();
