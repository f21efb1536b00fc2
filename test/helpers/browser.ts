// Debian's Chromium for the console's browser suites, driven by playwright-core. PGTRAIL_CHROMIUM
// names another binary (or a missing one, to see the skipped path).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { requireOr } from './requirements.ts';

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
