// Two-factor steps for console tests: enrol through the account pages (reading the typed secret
// off the page, as a person would type it into an app) and sign in with a code computed here.
import { randomBytes } from 'node:crypto';
import * as assert from 'uvu/assert';
import { deriveTotpKey } from '../../src/accounts/secret-box.ts';
import { base32Decode, hotp, stepAt } from '../../src/accounts/totp.ts';
import { addUser } from '../../src/accounts/users.ts';
import { PASSWORD, csrfFrom, type Client, type ConsoleFixture } from './console.ts';

export const testTotpKey = () => deriveTotpKey(randomBytes(32));

/** The secret as the enrolment page shows it for typing (groups of four, base32). */
export function secretFrom(html: string): Buffer {
  const m = /id="totp-secret">([A-Z2-7 ]+)</.exec(html);
  if (!m) throw new Error('no typed secret on the page');
  return base32Decode(m[1]);
}

export function recoveryCodesFrom(html: string): string[] {
  return [...html.matchAll(/<li><code>([a-z2-7]{5}-[a-z2-7]{5})<\/code><\/li>/g)].map((m) => m[1]);
}

/** The code an authenticator app would show at `at`, `offset` steps away. */
export function codeAt(secret: Buffer, at: Date, offset = 0): string {
  return hotp(secret, stepAt(at.getTime()) + offset);
}

export async function addTestUser(f: ConsoleFixture, email: string, role = 'viewer'): Promise<string> {
  const client = await f.db.pool.connect();
  try {
    await client.query('BEGIN');
    const user = await addUser(client, email, role, PASSWORD);
    await client.query('COMMIT');
    return user.id;
  } finally {
    client.release();
  }
}

/** Start and confirm an enrolment for the signed-in client; the secret and the recovery codes. */
export async function enrol(c: Client, f: ConsoleFixture): Promise<{ secret: Buffer; codes: string[] }> {
  // The set-up page carries the CSRF token even while a role's requirement gates everything else.
  const intro = await (await c.get('/account/2fa')).text();
  const start = await c.post('/account/2fa/start', { _csrf: csrfFrom(intro) });
  assert.is(start.status, 303, 'start');
  const page = await (await c.get('/account/2fa')).text();
  const secret = secretFrom(page);
  const confirmed = await c.post('/account/2fa/confirm', { _csrf: csrfFrom(page), code: codeAt(secret, f.clock.now) });
  assert.is(confirmed.status, 200, 'confirm');
  const codes = recoveryCodesFrom(await confirmed.text());
  assert.is(codes.length, 10);
  return { secret, codes };
}

/** The password step; for a 2FA user the answer is the code form (200). */
export async function passwordStep(c: Client, email: string, password = PASSWORD): Promise<{ status: number; html: string }> {
  const res = await c.signIn(email, password);
  return { status: res.status, html: res.status === 303 ? '' : await res.text() };
}

export async function codeStep(c: Client, code: string, formHtml?: string): Promise<Response> {
  const html = formHtml ?? (await (await c.get('/sign-in/2fa')).text());
  return c.post('/sign-in/2fa', { _csrf: csrfFrom(html), code });
}
