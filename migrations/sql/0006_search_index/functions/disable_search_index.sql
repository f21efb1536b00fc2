-- audit.disable_search_index() → true if there was anything to drop
-- Drops the optional free-text index audit.events_search_idx with every partition's index attached
-- to it, and any partition index an interrupted `enable` left unattached. Queries go back to
-- scanning the time window for `q` (src/query/predicate.ts checks for the index on every search).
-- DROP INDEX takes an ACCESS EXCLUSIVE lock on audit.events for a moment: the caller sets a
-- lock_timeout, so that waiting behind a long export never stalls audited writes queued behind it.
-- pg_trgm stays installed: other objects may use it.
CREATE FUNCTION audit.disable_search_index() RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  v_index text;
  v_found boolean := false;
BEGIN
  IF to_regclass('audit.events_search_idx') IS NOT NULL THEN
    DROP INDEX audit.events_search_idx;
    v_found := true;
  END IF;
  FOR v_index IN
    SELECT x.relname::text
      FROM pg_inherits AS i
      JOIN pg_class AS c ON c.oid = i.inhrelid
      JOIN pg_index AS ix ON ix.indrelid = c.oid
      JOIN pg_class AS x ON x.oid = ix.indexrelid
     WHERE i.inhparent = 'audit.events'::regclass AND x.relname = c.relname || '_search_idx'
  LOOP
    EXECUTE format('DROP INDEX audit.%I', v_index);
    v_found := true;
  END LOOP;
  RETURN v_found;
END
$fn$;
