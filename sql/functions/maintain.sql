-- audit.maintain v2 (migration 0013): as v1 (0002, migrations/sql/0002_maintenance/), and
-- last, after retention, it rolls up the events committed since the previous run into the activity
-- panel's hourly counts (audit.activity_rollup). The report is unchanged: the rollup is silent.
-- audit.maintain(p_now timestamptz DEFAULT now()) → what it did, one row per partition touched:
--   action 'created' | 'moved' | 'dropped', partition (in schema audit), range_from, range_to,
--   rows (moved or dropped; NULL for created)
-- The one maintenance entry point, run by the pg_cron job pgtrail-maintain or by the fallback
-- timer (src/maintenance/timer.ts). In order: move rows stranded in the default partition into
-- proper partitions, premake the partitions for p_now and the next `premake` intervals, drop the
-- partitions that expired under the retention setting (each drop recorded as an event).
-- Idempotent: a second run with the same p_now reports nothing.
--
-- Concurrency: the whole run holds a transaction-level advisory lock. A second caller WAITS for
-- the first to commit and then finds nothing left to do, so `pgtrail maintain` always returns after
-- maintenance has really happened. (The fallback timer instead tries a session lock on the same
-- key and skips a round when someone else holds it.)
-- Locks: DDL on audit.events waits at most lock_timeout (5s) for a table lock, so a long-running
-- reader (an export) never makes audited writes queue behind maintenance for long; the run fails
-- instead, rolls back whole, and the next scheduled run retries. The wait for the advisory lock
-- itself is not limited. The function-level SET restores the caller's lock_timeout on return.
--
-- p_now injects time (tests, back-fills) but may not lie in the future: whoever may run
-- maintenance can never make it drop a partition earlier than the real clock would.
CREATE OR REPLACE FUNCTION audit.maintain(p_now timestamptz DEFAULT now())
RETURNS TABLE (action text, partition text, range_from timestamptz, range_to timestamptz, rows bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET lock_timeout = '5s' AS $fn$
#variable_conflict use_column
DECLARE
  v_name text;
BEGIN
  IF p_now IS NULL OR p_now > now() THEN
    RAISE EXCEPTION 'audit.maintain: p_now (%) must not be NULL or in the future', p_now
      USING ERRCODE = '22023', HINT = 'maintenance never runs ahead of the clock, so nothing is dropped early';
  END IF;
  PERFORM set_config('lock_timeout', '0', true);
  PERFORM pg_advisory_xact_lock(1885828210, 1);  -- 'pgtr', 1: the maintenance lock (src/maintenance/lock.ts)
  PERFORM set_config('lock_timeout', '5s', true);

  RETURN QUERY SELECT * FROM audit.move_strays();
  -- One statement per partition: a query that joined the catalog to premake_partitions() would
  -- read the catalog as of its own start and miss the partitions made while it ran.
  FOR v_name IN SELECT made FROM audit.premake_partitions(p_now) AS made LOOP
    RETURN QUERY SELECT 'created'::text, p.partition, p.range_from, p.range_to, NULL::bigint
                   FROM audit.partitions() AS p WHERE p.partition = v_name;
  END LOOP;
  RETURN QUERY SELECT * FROM audit.drop_expired(p_now);
  -- After the drops, so their hours leave the rollup in the same transaction.
  PERFORM audit.activity_rollup();
END
$fn$;
