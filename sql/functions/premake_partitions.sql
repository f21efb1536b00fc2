-- audit.premake_partitions(p_now timestamptz DEFAULT now()) → names of the partitions created
-- v2 (migration 0002) of the function created by 0001; same signature. Changes:
--   * skips ranges already covered by a wider partition (after the interval was made finer), where
--     v1 would fail with "partition would overlap";
--   * takes the maintenance advisory lock, so it never races audit.maintain or a settings change.
CREATE OR REPLACE FUNCTION audit.premake_partitions(p_now timestamptz DEFAULT now()) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  v_settings audit.settings;
  v_start    timestamptz;
  v_name     text;
BEGIN
  PERFORM pg_advisory_xact_lock(1885828210, 1);  -- 'pgtr', 1: the maintenance lock (src/maintenance/lock.ts)
  v_settings := (SELECT s FROM audit.settings AS s);
  v_start := audit.partition_start(p_now);
  FOR i IN 0 .. v_settings.premake LOOP
    v_name := audit.ensure_partition(v_start);
    IF v_name IS NOT NULL THEN
      RETURN NEXT v_name;
    END IF;
    v_start := ((v_start AT TIME ZONE 'UTC') + v_settings.partition_interval) AT TIME ZONE 'UTC';
  END LOOP;
END
$fn$;
