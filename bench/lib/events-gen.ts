// Synthetic audit history for the query-latency benchmark: N events spread evenly over a span of
// days ending at `end`, written straight into audit.events (as its owner) with INSERT … SELECT
// generate_series, deterministic in the row number (hashint8extended), so every run and both
// partition layouts hold the same events.
//
// Distributions (what an admin's console sees in a busy SaaS database):
//   actors   300, skewed (actor k drawn as floor(300·u³): the top actor ~15 %, the top 10 ~45 %, a long
//            tail of rare ones); 240 users (numeric ids, email names), 40 API tokens, 12 system jobs,
//            8 database roles. Each user acts from 4 addresses in 10.<k%8>.<k>.x, tokens from
//            198.51.100.x; user agents per actor.
//   actions  96 % row changes (insert 29 %, update 55 %, delete 12 %), 4 % application events
//            (auth.sign_in, auth.sign_out, auth.sign_in_failed, broadcast.send, export.create).
//   targets  20 tables, skewed (floor(20·u²)); row keys 1–60,000 per table, skewed (floor(60000·u²)),
//            so popular records have long histories.
//   tx_id    grows with time, ~3 events per transaction.
//   data     new_data ~300 B for inserts and updates, old_data the full row for deletes and the two
//            changed columns for updates (the v1 template's storage), metadata for app events.
import type pg from 'pg';

export const ACTORS = 300;
export const TABLES = [
  'contacts', 'contact_lists', 'list_members', 'campaigns', 'broadcasts', 'templates', 'sending_domains',
  'segments', 'automations', 'automation_steps', 'webhooks', 'api_keys', 'users', 'teams', 'invoices',
  'subscriptions', 'tags', 'forms', 'suppressions', 'settings',
].map((t) => `public.${t}`);
export const FIRST = ['aisha', 'bruno', 'chen', 'dara', 'emil', 'fatima', 'goran', 'hana', 'ivan', 'julia',
  'kofi', 'lena', 'mateo', 'nadia', 'omar', 'priya', 'quinn', 'rosa', 'sven', 'tariq'];
export const LAST = ['novak', 'smith', 'garcia', 'kim', 'okafor', 'rossi', 'muller', 'silva', 'tanaka', 'dubois',
  'jensen', 'kowalski', 'haddad', 'larsen', 'moreau'];
export const APP_ACTIONS = ['auth.sign_in', 'auth.sign_out', 'auth.sign_in_failed', 'broadcast.send', 'export.create'];

/** Actor k's id, as the generator writes it. */
export function actorId(k: number): string {
  if (k < 240) return String(1000 + k * 7);
  if (k < 280) return `tok_${k}`;
  if (k < 292) return `job:${k}`;
  return k % 2 ? 'postgres' : 'app_owner';
}
/** Actor k's display name (users: an email). */
export function actorName(k: number): string {
  if (k < 240) return `${FIRST[k % 20]}.${LAST[Math.floor(k / 20) % 15]}@example.com`;
  if (k < 280) return `token ${k}`;
  if (k < 292) return `nightly-job-${k}`;
  return k % 2 ? 'postgres' : 'app_owner';
}
/** One of user k's addresses (v 1–4). */
export function userIp(k: number, v: number): string {
  return `10.${k % 8}.${k}.${v}`;
}
/** The transaction id of event i (ids start at ID_BASE + 1). */
export const TX_BASE = 5_000_000;
export const ID_BASE = 1_000;
export function txOf(i: number): number {
  return TX_BASE + Math.floor(i * 0.3);
}

const FN = `
CREATE OR REPLACE FUNCTION public.bench_u(i bigint, k integer) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (hashint8extended(i, k) & 2147483647)::float8 / 2147483648.0 $$;
`;

/** The INSERT … SELECT for rows lo..hi of n, spread over [start, start + days). */
function insertSql(lo: number, hi: number, n: number, start: Date, days: number, txSql = `${TX_BASE} + floor(i * 0.3)::bigint`): string {
  const step = (days * 86_400) / n; // seconds between events
  const arr = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(',')}]`;
  return `
INSERT INTO audit.events (id, occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name,
                          ip, user_agent, request_id, db_user, app_name, old_data, new_data, changed_fields, metadata)
SELECT ${ID_BASE} + i, at, ${txSql}, action,
       CASE WHEN app THEN CASE WHEN action LIKE 'auth.%' THEN 'user' WHEN action = 'broadcast.send' THEN 'broadcast' ELSE 'export' END
            ELSE tbl END,
       CASE WHEN app THEN CASE WHEN action LIKE 'auth.%' THEN aid WHEN action = 'broadcast.send' THEN (1 + floor(u5 * 2000))::int::text ELSE 'exp_' || i END
            ELSE rec::text END,
       atype, aid, aname, ip, ua,
       CASE WHEN atype IN ('user', 'api_token') THEN 'r-' || to_hex(i * 2654435761 % 4294967296) END,
       CASE WHEN atype = 'db_role' THEN aid ELSE 'app' END,
       CASE WHEN atype = 'db_role' THEN 'psql' WHEN atype = 'system' THEN 'jobs' ELSE 'web' END,
       CASE action WHEN 'update' THEN jsonb_build_object('status', (${arr(['active', 'paused', 'draft', 'archived'])})[1 + (i % 4)::int], 'updated_at', at - interval '3 days')
                   WHEN 'delete' THEN row_data END,
       CASE WHEN action IN ('insert', 'update') THEN row_data END,
       CASE WHEN action = 'update' THEN ARRAY['status', 'updated_at'] END,
       CASE action WHEN 'auth.sign_in' THEN '{"method":"password"}'::jsonb
                   WHEN 'auth.sign_in_failed' THEN '{"reason":"bad_password"}'::jsonb
                   WHEN 'broadcast.send' THEN jsonb_build_object('recipients', (u5 * 50000)::int)
                   WHEN 'export.create' THEN '{"format":"csv"}'::jsonb END
FROM (
  SELECT i, at, a, u5, atype, app, action, tbl, rec,
         CASE atype WHEN 'user' THEN (1000 + a * 7)::text WHEN 'api_token' THEN 'tok_' || a WHEN 'system' THEN 'job:' || a
                    ELSE CASE WHEN a % 2 = 1 THEN 'postgres' ELSE 'app_owner' END END AS aid,
         CASE atype WHEN 'user' THEN (${arr(FIRST)})[1 + a % 20] || '.' || (${arr(LAST)})[1 + (a / 20) % 15] || '@example.com'
                    WHEN 'api_token' THEN 'token ' || a WHEN 'system' THEN 'nightly-job-' || a
                    ELSE CASE WHEN a % 2 = 1 THEN 'postgres' ELSE 'app_owner' END END AS aname,
         CASE atype WHEN 'user' THEN ('10.' || a % 8 || '.' || a || '.' || (1 + floor(u6 * 4))::int)::inet
                    WHEN 'api_token' THEN ('198.51.100.' || a - 239)::inet
                    WHEN 'system' THEN '127.0.0.1'::inet ELSE ('192.168.7.' || (a - 290))::inet END AS ip,
         CASE atype WHEN 'user' THEN (${arr([
           'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15',
           'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
           'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
           'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148'])})[1 + a % 4]
                    WHEN 'api_token' THEN 'python-requests/2.32' WHEN 'system' THEN 'pgtrail-jobs/1.0' END AS ua,
         CASE WHEN NOT app THEN jsonb_build_object(
           'id', rec, 'name', (${arr(FIRST)})[1 + rec % 20] || ' ' || (${arr(LAST)})[1 + rec % 15],
           'email', 'contact' || rec || '@customer' || rec % 97 || '.example.org',
           'status', (${arr(['active', 'paused', 'draft', 'archived'])})[1 + ((i + 1) % 4)::int],
           'plan', (${arr(['free', 'starter', 'pro', 'enterprise'])})[1 + rec % 4], 'score', (u5 * 1000)::int,
           'tags', jsonb_build_array('t' || rec % 13, 't' || rec % 7), 'list_id', rec % 500,
           'notes', left(md5(i::text) || md5(rec::text), 20 + (u6 * 44)::int),
           'created_at', at - interval '40 days', 'updated_at', at) END AS row_data
  FROM (
    SELECT i, at, a, u5, u6, app,
           CASE WHEN a < 240 THEN 'user' WHEN a < 280 THEN 'api_token' WHEN a < 292 THEN 'system' ELSE 'db_role' END AS atype,
           CASE WHEN app THEN (${arr(APP_ACTIONS)})[CASE WHEN u3 < 0.45 THEN 1 WHEN u3 < 0.70 THEN 2 WHEN u3 < 0.80 THEN 3 WHEN u3 < 0.92 THEN 4 ELSE 5 END]
                WHEN u2 < 0.33 THEN 'insert' WHEN u2 < 0.88 THEN 'update' ELSE 'delete' END AS action,
           (${arr(TABLES)})[1 + floor(20 * u4 * u4)::int] AS tbl,
           1 + floor(60000 * u5 * u5)::int AS rec
    FROM (
      SELECT i, timestamptz '${start.toISOString()}' + (i - 0.5) * interval '${step} seconds' AS at,
             floor(${ACTORS} * power(bench_u(i, 1), 3))::int AS a,
             bench_u(i, 2) AS u2, bench_u(i, 3) AS u3, bench_u(i, 4) AS u4, bench_u(i, 5) AS u5, bench_u(i, 6) AS u6,
             bench_u(i, 2) < 0.04 AS app
      FROM generate_series(${lo}::bigint, ${hi}::bigint) AS i
    ) AS r
  ) AS s
) AS t`;
}

export interface GenerateOptions {
  rows: number;
  days: number;
  end: Date;
  chunk?: number;
  progress?: (done: number, ms: number) => void;
  /** tx_id as SQL in terms of the row number i (default: TX_BASE + 0.3 i; bench/seal-verify needs ids below the cluster's counter). */
  txSql?: string;
}

/**
 * Fills audit.events (which must be empty of generated rows) with `rows` events over `days` days
 * ending at `end`; the partitions for that span must exist. Returns the start of the span.
 */
export async function generateEvents(c: pg.ClientBase, o: GenerateOptions): Promise<Date> {
  const start = new Date(o.end.getTime() - o.days * 86_400_000);
  const chunk = o.chunk ?? 500_000;
  await c.query(FN);
  await c.query('SET ROLE pgtrail_owner');
  const t0 = Date.now();
  try {
    for (let lo = 1; lo <= o.rows; lo += chunk) {
      const hi = Math.min(o.rows, lo + chunk - 1);
      await c.query(insertSql(lo, hi, o.rows, start, o.days, o.txSql));
      o.progress?.(hi, Date.now() - t0);
    }
    await c.query(`SELECT setval('audit.events_id_seq', ${ID_BASE + o.rows})`);
  } finally {
    await c.query('RESET ROLE');
  }
  return start;
}
