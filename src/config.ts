// The environment, parsed once at start-up. Nothing else in pgtrail reads process.env.
import { z } from 'zod';
import { UserError } from './db/errors.ts';

const schema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .min(1)
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://')
    .optional(),
  /** Where the embedded PostgreSQL keeps its data when DATABASE_URL is not set. */
  PGTRAIL_DATA_DIR: z.string().min(1).default('.pgtrail/data'),
  /** The console's port; 0 = any free port (the URL printed at start says which). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** 1/true: the CLI prints stack traces of unexpected errors. */
  PGTRAIL_DEBUG: z.stringbool().default(false),
  /** Address the console listens on (`pgtrail serve`, `npm start`); 0.0.0.0 to expose it. */
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** Password for `pgtrail user add` and the first admin of `npm start`, instead of a prompt. */
  PGTRAIL_PASSWORD: z.string().min(1).optional(),
  /** Console sessions end this many hours after sign-in, whatever happens. */
  PGTRAIL_SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  /** …and after this many minutes without a request. */
  PGTRAIL_SESSION_IDLE_MINUTES: z.coerce.number().positive().max(24 * 60).default(60),
  /** 1/true: behind a reverse proxy; trust X-Forwarded-For / X-Forwarded-Proto for IP and HTTPS. */
  PGTRAIL_TRUST_PROXY: z.stringbool().default(false),
  /** 1/true: session cookies always carry Secure (otherwise: only when the request came over HTTPS). */
  PGTRAIL_SECURE_COOKIES: z.stringbool().default(false),
  /** Fallback maintenance timer interval (minutes), used when no pg_cron job maintains the database. */
  PGTRAIL_MAINTENANCE_MINUTES: z.coerce.number().min(1).max(24 * 60).default(60),
  /**
   * statement_timeout (ms) of the console's and the API's list, count and detail queries. A free-text
   * search without the search index scans every event of its window (10M events, no window: ~16 s).
   * Exports are not bounded by it.
   */
  PGTRAIL_QUERY_TIMEOUT_MS: z.coerce.number().int('must be a whole number of milliseconds').min(1).max(3_600_000).default(10_000),
  /**
   * The key that encrypts console users' TOTP secrets (32+ bytes, hex or base64url); never stored in
   * the database. Without it, the key is read from PGTRAIL_TOTP_KEY_FILE, made there on first start.
   */
  PGTRAIL_TOTP_KEY: z.string().trim().min(1).optional(),
  /** Default: totp.key beside the data folder (with the default PGTRAIL_DATA_DIR: .pgtrail/totp.key). */
  PGTRAIL_TOTP_KEY_FILE: z.string().trim().min(1).optional(),
  /**
   * The Ed25519 private key that signs seals and export manifests (what `pgtrail seal-key create`
   * prints: base64url PKCS#8), or PGTRAIL_SEAL_KEY_FILE (its PEM file). Never stored in the database;
   * without either, sealing is skipped with a warning and capture goes on.
   */
  PGTRAIL_SEAL_KEY: z.string().trim().min(1).optional(),
  PGTRAIL_SEAL_KEY_FILE: z.string().trim().min(1).optional(),
  /**
   * Where the console may run reverts (docs/revert.md): a login that may write the audited tables.
   * The console's own role never can; without this, the revert preview shows the SQL and its
   * button is disabled.
   */
  PGTRAIL_REVERT_DATABASE_URL: z
    .string()
    .trim()
    .min(1)
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://')
    .optional(),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
