-- audit.partitions() → every partition of audit.events with its range, oldest first, default last
-- Ranges are read from the catalog (pg_get_expr of the partition bound), never kept in a table of
-- our own that could drift from what PostgreSQL routes by. The bound literals are printed and read
-- back under a pinned DateStyle and TimeZone, so the round trip does not depend on the session.
CREATE FUNCTION audit.partitions()
RETURNS TABLE (partition text, range_from timestamptz, range_to timestamptz, is_default boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, YMD' SET timezone = 'UTC' AS $fn$
  SELECT c.relname::text, m.b[1]::timestamptz, m.b[2]::timestamptz, m.b IS NULL
    FROM pg_catalog.pg_inherits AS i
    JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
    LEFT JOIN LATERAL pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                                              $re$^FOR VALUES FROM \('([^']*)'\) TO \('([^']*)'\)$$re$) AS m(b) ON true
   WHERE i.inhparent = 'audit.events'::regclass
   ORDER BY m.b IS NULL, m.b[1]::timestamptz
$fn$;
