// What the HTTP app is built from. createApp(deps) never reads the environment or opens
// connections itself, so tests build it around a test database and call app.request().
import type pg from 'pg';
import type { SessionPolicy } from '../accounts/sessions.ts';
import type { ThrottlePolicy } from '../accounts/throttle.ts';
import type { SealKey } from '../integrity/keys.ts';

export interface AppDeps {
  /** The console's pool (createConsolePool: every connection runs as pgtrail_console). */
  pool: pg.Pool;
  /**
   * The pool for the list, count and detail reads of the console and the API, its connections
   * bounded by statement_timeout (serve.ts: PGTRAIL_QUERY_TIMEOUT_MS). A separate pool because
   * exports (COPY that streams for minutes on purpose), sessions and maintenance share `pool` and
   * must not be cut. Without it, reads use `pool`, unbounded.
   */
  reads?: BoundedReads;
  /** Signs keyset cursors (console.settings 'server_secret', so it survives restarts). */
  secret: string;
  /**
   * AES-256 key for TOTP secrets (src/accounts/totp-key.ts: from the environment or a file, never
   * the database). Without it, two-factor enrolment is unavailable and only recovery codes sign in.
   */
  totpKey?: Buffer;
  /** Ed25519 seal key (PGTRAIL_SEAL_KEY or its file): signs export manifests; none, no manifests. */
  sealKey?: SealKey | null;
  /** The clock (tests move it to expire sessions and locks). */
  now?: () => Date;
  /** Session cookies always carry Secure (otherwise only on HTTPS requests). */
  secureCookies?: boolean;
  /** Behind a reverse proxy: take the client IP from X-Forwarded-For and HTTPS from X-Forwarded-Proto. */
  trustProxy?: boolean;
  /**
   * The pool that runs reverts (PGTRAIL_REVERT_DATABASE_URL: a role that may write the audited
   * tables; src/revert/pool.ts). Without it the revert preview shows the SQL, not the rows, and runs nothing.
   */
  revert?: pg.Pool;
  session?: Partial<SessionPolicy>;
  throttle?: Partial<ThrottlePolicy>;
}

export interface BoundedReads {
  pool: pg.Pool;
  /** The statement_timeout of the pool's connections, for the message when it cuts a query. */
  timeoutMs: number;
}

export type { SessionPolicy, ThrottlePolicy };
