-- audit.search_index_status() → one row: state, partitions, indexed, bytes, events
-- The optional free-text index audit.events_search_idx: 'off' (absent), 'building' (the index on
-- audit.events exists but some partitions have no index attached yet: the planner uses those that
-- have one), 'on' (valid: every partition, and every partition made from now on, has it).
-- partitions counts audit.events' partitions (the default one too), indexed those with the index
-- attached, bytes their size on disk, events the planner's estimate of rows (for bytes per event).
CREATE FUNCTION audit.search_index_status()
RETURNS TABLE (state text, partitions integer, indexed integer, bytes bigint, events bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
  WITH parent AS (
    SELECT x.indexrelid, x.indisvalid FROM pg_index AS x WHERE x.indexrelid = to_regclass('audit.events_search_idx')
  ), parts AS (
    SELECT i.inhrelid AS rel, c.reltuples,
           (SELECT ci.inhrelid FROM pg_inherits AS ci JOIN pg_index AS px ON px.indexrelid = ci.inhrelid
             WHERE ci.inhparent = (SELECT indexrelid FROM parent) AND px.indrelid = i.inhrelid) AS idx
      FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'audit.events'::regclass
  )
  SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM parent) THEN 'off'
              WHEN (SELECT indisvalid FROM parent) THEN 'on' ELSE 'building' END,
         (SELECT count(*) FROM parts)::integer,
         (SELECT count(idx) FROM parts)::integer,
         (SELECT COALESCE(sum(pg_relation_size(idx)), 0) FROM parts)::bigint,
         (SELECT COALESCE(sum(GREATEST(reltuples, 0)), 0) FROM parts)::bigint
$fn$;

-- Harmless to read; the console may show it.
GRANT EXECUTE ON FUNCTION audit.search_index_status() TO pgtrail_reader;
