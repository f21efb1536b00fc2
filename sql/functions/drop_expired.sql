-- audit.drop_expired v2 (migration 0010): as v1, and each drop also records exactly which event
-- ids left with the partition in audit.expired_partitions (the next seal signs that record), so
-- `pgtrail verify` reports them as expired under the retention policy rather than deleted.
-- audit.drop_expired(p_now timestamptz) → report rows ('dropped', partition, from, to, rows)
-- Drops every partition whose whole range is older than p_now - retention (upper bound at or
-- before the cutoff; a row exactly at the cutoff is inside the window and its partition stays).
-- Retention NULL (forever) drops nothing; the default partition is never dropped. Each drop is
-- recorded as an event (action audit.partition_dropped, actor_type system) in the partition of
-- the current time, whose range ends after now() > cutoff, so never in a partition being dropped.
-- Only maintenance calls it (EXECUTE is not granted to anyone).
CREATE OR REPLACE FUNCTION audit.drop_expired(p_now timestamptz)
RETURNS TABLE (action text, partition text, range_from timestamptz, range_to timestamptz, rows bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET timezone = 'UTC' SET intervalstyle = 'postgres' AS $fn$
#variable_conflict use_column
DECLARE
  v_retention interval := (SELECT s.retention FROM audit.settings AS s);
  v_cutoff    timestamptz;
  v_part      record;
  v_rows      bigint;
  v_inside    bigint;
  v_name      text;
  v_ids       int8multirange;
BEGIN
  PERFORM pg_advisory_xact_lock(1885828210, 1);  -- the maintenance lock (src/maintenance/lock.ts)
  IF v_retention IS NULL OR p_now IS NULL THEN
    RETURN;
  END IF;
  v_cutoff := p_now - v_retention;  -- month and year arithmetic in UTC (function-level timezone)

  FOR v_part IN SELECT p.partition, p.range_from, p.range_to FROM audit.partitions() AS p
                 WHERE NOT p.is_default AND p.range_to <= v_cutoff ORDER BY p.range_from LOOP
    -- SHARE blocks only writers routed to this expired range (none in practice), so the count is
    -- the number of rows dropped; other partitions stay writable until the DROP itself.
    EXECUTE format('LOCK TABLE audit.%I IN SHARE MODE', v_part.partition);
    EXECUTE format('SELECT count(*), count(*) FILTER (WHERE occurred_at >= $1) FROM audit.%I', v_part.partition)
       INTO v_rows, v_inside USING v_cutoff;
    IF v_inside > 0 THEN  -- impossible while the partition's bounds are what the catalog says; never drop on a doubt
      RAISE EXCEPTION 'audit.drop_expired: audit.% holds % rows inside the retention window; not dropped', v_part.partition, v_inside
        USING ERRCODE = 'XX000';
    END IF;
    EXECUTE format('SELECT coalesce(range_agg(int8range(id, id, ''[]'')), ''{}'') FROM audit.%I', v_part.partition)
       INTO v_ids;
    EXECUTE format('DROP TABLE audit.%I', v_part.partition);
    INSERT INTO audit.expired_partitions (partition, range_from, range_to, dropped_at, cutoff, retention, rows, ids)
    VALUES ('audit.' || v_part.partition, v_part.range_from, v_part.range_to, statement_timestamp(), v_cutoff,
            v_retention::text, v_rows, v_ids);

    v_name := audit.ensure_partition(statement_timestamp());
    IF v_name IS NOT NULL THEN
      RETURN QUERY SELECT 'created'::text, p.partition, p.range_from, p.range_to, NULL::bigint
                     FROM audit.partitions() AS p WHERE p.partition = v_name;
    END IF;
    INSERT INTO audit.events (tx_id, action, target_type, target_id, actor_type, actor_id, actor_name,
                              ip, db_user, app_name, metadata)
    VALUES (txid_current(), 'audit.partition_dropped', 'audit.events', 'audit.' || v_part.partition,
            'system', 'audit.maintain', 'pgtrail maintenance', inet_client_addr(), session_user::text,
            current_setting('application_name'),
            jsonb_build_object('partition', 'audit.' || v_part.partition,
                               'range_from', v_part.range_from, 'range_to', v_part.range_to,
                               'rows', v_rows, 'retention', v_retention::text,
                               'cutoff', v_cutoff, 'as_of', p_now));

    action := 'dropped'; partition := v_part.partition; range_from := v_part.range_from;
    range_to := v_part.range_to; rows := v_rows;
    RETURN NEXT;
  END LOOP;
END
$fn$;
