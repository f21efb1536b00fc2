// Is sealing keeping up? One line for `pgtrail status` (and null when there is nothing to say):
// seals are configured (a public key is registered) but this process has no usable seal key, or an
// event has waited longer than expected to be sealed. Expected: within two maintenance intervals
// (PGTRAIL_MAINTENANCE_MINUTES), since every maintenance run with the key seals.
import type { Queryable } from '../db/queryable.ts';
import type { SealKey } from './keys.ts';

export interface SealHealthInput {
  /** The process's seal key, null when it has none; `keyError` when one is set but cannot be loaded. */
  key: SealKey | null;
  keyError?: string;
  maintenanceMinutes: number;
  /** The time to judge at (default: the server's now()). */
  now?: Date;
}

export async function sealHealth(db: Queryable, input: SealHealthInput): Promise<string | null> {
  const { rows: [installed] } = await db.query(`SELECT to_regclass('audit.seal_keys') IS NOT NULL AS ok`);
  if (!installed.ok) return null;
  const { rows: [s] } = await db.query(
    `SELECT (SELECT count(*)::int FROM audit.seal_keys) AS keys,
            (SELECT count(*)::int FROM audit.seal_keys WHERE fingerprint = $1) AS registered,
            seal.seq::text AS seq, to_char(seal.sealed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS sealed_at,
            EXISTS (SELECT FROM audit.events AS e
                     WHERE e.occurred_at < coalesce($2::timestamptz, now()) - make_interval(mins => $3)
                       AND (seal.sealed_at IS NULL OR e.occurred_at > seal.sealed_at)) AS overdue
       FROM (SELECT NULL) AS one
       LEFT JOIN LATERAL (SELECT seq, sealed_at FROM audit.seals ORDER BY seq DESC LIMIT 1) AS seal ON true`,
    [input.key?.fingerprint ?? null, input.now ?? null, 2 * input.maintenanceMinutes],
  );
  if (s.keys === 0) return null; // sealing is not configured
  const problems: string[] = [];
  if (s.overdue) {
    const window = `${2 * input.maintenanceMinutes} minutes (two maintenance intervals)`;
    problems.push(s.seq
      ? `the newest seal #${s.seq} (${s.sealed_at}) is older than expected: events recorded more than ${window} ago are not sealed`
      : `nothing is sealed yet, and events recorded more than ${window} ago are waiting`);
  }
  if (input.keyError) problems.push(`the seal key cannot be loaded (${input.keyError})`);
  else if (!input.key) problems.push('no seal key is available to this process (PGTRAIL_SEAL_KEY or PGTRAIL_SEAL_KEY_FILE), so it cannot seal');
  else if (s.registered === 0) problems.push(`this process's seal key ${input.key.fingerprint.slice(0, 12)}… is not registered in this database (pgtrail seal-key list)`);
  return problems.length > 0 ? `seals: ${problems.join('; ')}` : null;
}
