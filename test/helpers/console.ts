// The console under test: a cloned database with console users, the app built around the console
// pool (connections as pgtrail_console) and a movable clock, and a tiny cookie-keeping client
// that drives it through app.request().
import type { Hono } from 'hono';
import { createConsolePool } from '../../src/db/console-pool.ts';
import { addUser } from '../../src/accounts/users.ts';
import { createApp, type AppDeps } from '../../src/server/app.ts';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from './database.ts';

export const PASSWORD = 'correct horse battery';

export interface ConsoleFixture {
  db: TestDatabase;
  pool: pg.Pool;
  app: Hono<any>;
  deps: AppDeps;
  clock: { now: Date };
  close(): Promise<void>;
}

export async function consoleFixture(label: string, deps: Partial<AppDeps> = {}): Promise<ConsoleFixture> {
  const db = await createTestDatabase(label);
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    for (const [email, role] of [['admin@example.com', 'admin'], ['auditor@example.com', 'auditor'], ['viewer@example.com', 'viewer']]) {
      await addUser(client, email, role, PASSWORD);
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  const pool = createConsolePool(db.url, 4);
  const clock = { now: new Date() };
  const fullDeps: AppDeps = { pool, secret: 'console-test-secret', now: () => clock.now, trustProxy: true, ...deps };
  return {
    db, pool, clock, deps: fullDeps, app: createApp(fullDeps),
    async close() {
      await pool.end();
      await db.drop();
    },
  };
}

/** Keeps cookies between requests, like a browser; sends a fixed client IP and user agent. */
export class Client {
  cookies = new Map<string, string>();
  lastSetCookies: string[] = [];
  constructor(private app: Hono<any>, private headers: Record<string, string> = { 'x-forwarded-for': '203.0.113.50', 'user-agent': 'console-test/1.0' }) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(this.headers)) if (!headers.has(k)) headers.set(k, v);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await this.app.request(`http://localhost${path}`, { ...init, headers, redirect: 'manual' });
    this.lastSetCookies = response.headers.getSetCookie();
    for (const line of this.lastSetCookies) {
      const [pair, ...attributes] = line.split(';');
      const [name, ...value] = pair.split('=');
      const gone = value.join('=') === '' || attributes.some((a) => /^\s*max-age=0$/i.test(a));
      if (gone) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.join('='));
    }
    return response;
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.request(path, { headers });
  }

  post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    return this.request(path, { method: 'POST', body: new URLSearchParams(form), headers });
  }

  /** GET /sign-in for its form token, then POST the credentials. */
  async signIn(email: string, password = PASSWORD): Promise<Response> {
    const page = await (await this.get('/sign-in')).text();
    return this.post('/sign-in', { _csrf: csrfFrom(page), email, password });
  }

  /** The session's CSRF token, as the pages carry it. */
  async csrf(): Promise<string> {
    return csrfFrom(await (await this.get('/events')).text());
  }
}

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in the page');
  return m[1];
}
