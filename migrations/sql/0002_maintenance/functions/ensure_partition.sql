-- audit.ensure_partition(p_at timestamptz) → the name of the partition it created, or NULL
-- Makes sure a partition (not the default) holds p_at. A partition that already covers p_at may
-- be wider than the configured interval (made before the interval was changed to a finer one);
-- audit.settings_changed only accepts an interval whose boundaries fall on the bounds of every
-- existing partition, so a new partition of the configured interval never overlaps an old one.
CREATE FUNCTION audit.ensure_partition(p_at timestamptz) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
  IF EXISTS (SELECT 1 FROM audit.partitions() AS p
              WHERE NOT p.is_default AND p_at >= p.range_from AND p_at < p.range_to) THEN
    RETURN NULL;
  END IF;
  RETURN audit.create_partition(audit.partition_start(p_at));
END
$fn$;
