-- audit.partition_start(p_at timestamptz) → start of the partition that holds p_at
-- Partition boundaries are aligned in UTC to the configured interval (day, ISO week, month).
CREATE FUNCTION audit.partition_start(p_at timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
  SELECT date_trunc(CASE s.partition_interval WHEN interval '1 day' THEN 'day'
                                             WHEN interval '1 week' THEN 'week'
                                             ELSE 'month' END,
                    p_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
    FROM audit.settings AS s
$fn$;
