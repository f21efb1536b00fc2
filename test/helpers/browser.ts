// Debian's Chromium for the console's browser suites, driven by playwright-core. PGTRAIL_CHROMIUM
// names another binary (or a missing one, to see the skipped path).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config.ts';
import { addUser } from '../../src/accounts/users.ts';
import { installDemoHistory } from '../../src/demo/history.ts';
import { installDemo, makeDemoChanges } from '../../src/demo/seed.ts';
import { startConsole, type RunningConsole } from '../../src/server/serve.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { requireOr } from './requirements.ts';
import { DEMO_REVERT_ROLE, ensureDemoRevertRole } from '../../src/revert/demo-role.ts';

export const CHROMIUM = process.env.PGTRAIL_CHROMIUM || '/usr/bin/chromium';

/** First thing in a browser suite's before hook: without Chromium the suite is skipped (failed in CI). */
export function requireChromium(ctx: { __suite__: string }): void {
  requireOr(ctx, {
    met: existsSync(CHROMIUM),
    reason: `${CHROMIUM} not found`,
    remedy: `install it with: sudo apt-get install chromium${process.env.PGTRAIL_CHROMIUM ? ' (or point PGTRAIL_CHROMIUM at it)' : ''}`,
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A page in a fresh browser context, with a 10 s default timeout and every console error and script
 * error collected in `problems` (CSP violations show up there; the console must have none).
 */
export async function openPage(browser: Browser, options: BrowserContextOptions): Promise<{ page: Page; problems: string[] }> {
  const page = await (await browser.newContext(options)).newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  return { page, problems };
}

/** The demo (schema, a week of history, live changes) with admin@example.com, served on a free loopback port. */
export async function demoConsole(label: string, password: string): Promise<{ db: TestDatabase; server: RunningConsole }> {
  const db = await createTestDatabase(label);
  await installDemo(db.pool);
  await installDemoHistory(db.pool);
  await makeDemoChanges(db.pool);
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await addUser(client, 'admin@example.com', 'admin', password);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  // The TOTP key from the environment, so no key file is made beside the checkout's .pgtrail/data.
  const config = loadConfig({ PGTRAIL_TOTP_KEY: randomBytes(32).toString('base64url') });
  // Revert enabled as `npm start` does it: a role that may write schema demo only.
  await ensureDemoRevertRole(db.pool);
  const server = await startConsole({ databaseUrl: db.url, port: 0, host: '127.0.0.1', config, revert: { url: db.url, role: DEMO_REVERT_ROLE } });
  return { db, server };
}
