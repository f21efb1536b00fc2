-- audit.create_partition(p_start timestamptz) → the partition's name, or NULL if it existed
-- Creates the partition of audit.events that starts at p_start (which must sit on a boundary of
-- the configured interval, in UTC) and puts the append-only guard on it: statement-level
-- TRUNCATE triggers are not inherited from the parent.
CREATE FUNCTION audit.create_partition(p_start timestamptz) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  v_interval interval := (SELECT partition_interval FROM audit.settings);
  v_end      timestamptz := ((p_start AT TIME ZONE 'UTC') + v_interval) AT TIME ZONE 'UTC';
  v_name     text := 'events_p' || to_char(p_start AT TIME ZONE 'UTC', 'YYYYMMDD');
BEGIN
  IF p_start <> audit.partition_start(p_start) THEN
    RAISE EXCEPTION 'audit.create_partition: % is not on a % boundary (UTC)', p_start, v_interval
      USING ERRCODE = '22023';
  END IF;
  IF to_regclass('audit.' || quote_ident(v_name)) IS NOT NULL THEN
    RETURN NULL;
  END IF;
  EXECUTE format('CREATE TABLE audit.%I PARTITION OF audit.events FOR VALUES FROM (%L) TO (%L)',
                 v_name, p_start, v_end);
  EXECUTE format('CREATE TRIGGER guard_truncate BEFORE TRUNCATE ON audit.%I FOR EACH STATEMENT EXECUTE FUNCTION audit.guard()',
                 v_name);
  RETURN v_name;
END
$fn$;
