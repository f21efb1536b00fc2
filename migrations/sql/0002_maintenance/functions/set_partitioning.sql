-- audit.set_partitioning(p_interval interval, p_premake integer DEFAULT NULL) → the settings row
-- Partition width (1 day, 1 week or 1 month) and how many partitions to keep ready ahead; NULL
-- keeps the current value. Validated (the interval must divide the existing partitions) and
-- recorded by the settings trigger. New partitions use it from the next maintenance run on.
CREATE FUNCTION audit.set_partitioning(p_interval interval, p_premake integer DEFAULT NULL) RETURNS audit.settings
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
  UPDATE audit.settings
     SET partition_interval = coalesce(p_interval, partition_interval), premake = coalesce(p_premake, premake)
  RETURNING *
$fn$;
