-- audit.premake_partitions(p_now timestamptz DEFAULT now()) → names of the partitions created
-- Makes sure the partition holding p_now and the next `premake` ones exist. p_now is a parameter
-- so that tests (and back-fills) can speak about other times without waiting.
CREATE FUNCTION audit.premake_partitions(p_now timestamptz DEFAULT now()) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  v_settings audit.settings := (SELECT s FROM audit.settings AS s);
  v_start    timestamptz := audit.partition_start(p_now);
  v_name     text;
BEGIN
  FOR i IN 0 .. v_settings.premake LOOP
    v_name := audit.create_partition(v_start);
    IF v_name IS NOT NULL THEN
      RETURN NEXT v_name;
    END IF;
    v_start := ((v_start AT TIME ZONE 'UTC') + v_settings.partition_interval) AT TIME ZONE 'UTC';
  END LOOP;
END
$fn$;
