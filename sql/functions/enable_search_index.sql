-- audit.enable_search_index() → (partition, statement) for each partition still to be indexed
-- v2 (migration 0012): the index covers target_label too (audit.search_text v2, six fields). An
-- index built before 0012 (five fields) is outdated: a search would miss labels through it, so
-- queries no longer use it, and this function drops it first (with every partition's index, as
-- audit.disable_search_index does) and then builds the new one, step by step as v1 did.
-- Makes the optional free-text index audit.events_search_idx (GIN, pg_trgm's gin_trgm_ops, on
-- audit.search_text(…)) one step at a time, so that building it on a large live table never blocks
-- audited writes for longer than a catalog change:
--   1. CREATE INDEX … ON ONLY audit.events: the partitioned index, invalid until every partition has
--      its own (partitions made from now on, by maintenance or premake, get theirs at once);
--   2. attach each partition's index that exists and is valid (built in an earlier round);
--   3. return, for every partition still without one, the CREATE INDEX CONCURRENTLY that builds it.
-- CONCURRENTLY cannot run inside a function or transaction, so the caller (`pgtrail search-index
-- enable`, src/maintenance/search-index.ts) runs the statements returned and calls this again;
-- when it returns no rows, every partition is attached and the index is valid. An index left
-- invalid by an interrupted build is dropped (DROP INDEX CONCURRENTLY) and built again.
-- Run as the owner of audit.events (pgtrail_owner); EXECUTE is not granted to anyone else.
CREATE OR REPLACE FUNCTION audit.enable_search_index()
RETURNS TABLE (partition text, statement text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
#variable_conflict use_column
DECLARE
  v_trgm   text;
  v_using  text;
  v_part   record;
  v_name   text;
  v_valid  boolean;
BEGIN
  SELECT n.nspname INTO v_trgm
    FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace
   WHERE e.extname = 'pg_trgm';
  IF v_trgm IS NULL THEN
    RAISE EXCEPTION 'audit.enable_search_index: the pg_trgm extension is not installed in this database'
      USING ERRCODE = '55000', HINT = 'CREATE EXTENSION pg_trgm (a contrib module shipped with PostgreSQL), then try again';
  END IF;
  -- The one definition: the partitioned index and every partition's must match to be attached.
  v_using := format('USING gin (audit.search_text(actor_name, actor_id, target_id, target_type, action, target_label) %I.gin_trgm_ops)', v_trgm);

  -- An index of v1 (without target_label): dropped, then built again below.
  IF to_regclass('audit.events_search_idx') IS NOT NULL
     AND pg_catalog.strpos(pg_catalog.pg_get_indexdef(to_regclass('audit.events_search_idx')), 'target_label') = 0 THEN
    PERFORM audit.disable_search_index();
  END IF;

  IF to_regclass('audit.events_search_idx') IS NULL THEN
    EXECUTE 'CREATE INDEX events_search_idx ON ONLY audit.events ' || v_using;
  END IF;

  FOR v_part IN
    SELECT c.relname::text AS relname, c.oid
      FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'audit.events'::regclass
       AND NOT EXISTS (SELECT 1 FROM pg_inherits AS ci JOIN pg_index AS x ON x.indexrelid = ci.inhrelid
                        WHERE ci.inhparent = 'audit.events_search_idx'::regclass AND x.indrelid = c.oid)
     ORDER BY c.relname DESC  -- newest partitions first: the recent windows the console shows most
  LOOP
    v_name := v_part.relname || '_search_idx';
    SELECT x.indisvalid INTO v_valid
      FROM pg_index AS x WHERE x.indexrelid = to_regclass(format('audit.%I', v_name)) AND x.indrelid = v_part.oid;
    IF v_valid THEN
      EXECUTE format('ALTER INDEX audit.events_search_idx ATTACH PARTITION audit.%I', v_name);
      CONTINUE;
    END IF;
    IF v_valid IS NOT NULL THEN  -- invalid: left behind by an interrupted CONCURRENTLY build
      partition := v_part.relname;
      statement := format('DROP INDEX CONCURRENTLY IF EXISTS audit.%I', v_name);
      RETURN NEXT;
    END IF;
    partition := v_part.relname;
    statement := format('CREATE INDEX CONCURRENTLY IF NOT EXISTS %I ON audit.%I %s', v_name, v_part.relname, v_using);
    RETURN NEXT;
  END LOOP;
END
$fn$;
