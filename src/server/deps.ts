// What the HTTP app is built from. createApp(deps) never reads the environment or opens
// connections itself, so tests build it around a test database and call app.request().
import type pg from 'pg';
import type { SessionPolicy } from '../console/sessions.ts';
import type { ThrottlePolicy } from '../console/throttle.ts';

export interface AppDeps {
  /** The console's pool (createConsolePool: every connection runs as pgtrail_console). */
  pool: pg.Pool;
  /** Signs keyset cursors (console.settings 'server_secret', so it survives restarts). */
  secret: string;
  /** The clock (tests move it to expire sessions and locks). */
  now?: () => Date;
  /** Session cookies always carry Secure (otherwise only on HTTPS requests). */
  secureCookies?: boolean;
  /** Behind a reverse proxy: take the client IP from X-Forwarded-For and HTTPS from X-Forwarded-Proto. */
  trustProxy?: boolean;
  session?: Partial<SessionPolicy>;
  throttle?: Partial<ThrottlePolicy>;
}

export type { SessionPolicy, ThrottlePolicy };
