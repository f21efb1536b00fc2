-- audit.move_strays() → report rows: ('created', partition, from, to, NULL) for each partition it
-- had to make, ('moved', partition, from, to, rows) for each partition that received rows
-- Moves the rows that landed in the default partition (no partition existed for their time: a
-- premake that did not run, a clock far off, a back-fill) into proper partitions, creating them
-- as needed, also for past dates. Only maintenance calls it (EXECUTE is not granted to anyone).
--
-- How, without ever deleting a row: PostgreSQL refuses to create a partition while the default
-- partition holds rows of its range, and the append-only guard refuses DELETE even to the owner.
-- So the default partition is detached (it becomes a plain table, and the guard's cloned row
-- trigger goes with the detach), the missing partitions are created, its rows are inserted again
-- through audit.events (routed to their partitions, every column kept, id included), the old
-- table is dropped and an empty default partition is made in its place. There is no guard bypass
-- for anyone to misuse. DETACH locks audit.events (ACCESS EXCLUSIVE) until commit, so no write
-- can land in the gap; the cost is that audited writes wait while strays are moved, which is why
-- nothing is locked when the default partition is empty (the usual case).
CREATE FUNCTION audit.move_strays()
RETURNS TABLE (action text, partition text, range_from timestamptz, range_to timestamptz, rows bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
#variable_conflict use_column
DECLARE
  v_default text;
  v_columns text;
  v_start   timestamptz;
  v_name    text;
  v_found   boolean;
BEGIN
  PERFORM pg_advisory_xact_lock(1885828210, 1);  -- the maintenance lock (src/maintenance/lock.ts)
  SELECT p.partition INTO v_default FROM audit.partitions() AS p WHERE p.is_default;
  IF v_default IS NULL THEN
    RAISE EXCEPTION 'audit.move_strays: audit.events has no default partition'
      USING ERRCODE = '55000', HINT = 'CREATE TABLE audit.events_default PARTITION OF audit.events DEFAULT (as pgtrail_owner)';
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM audit.%I)', v_default) INTO v_found;
  IF NOT v_found THEN
    RETURN;
  END IF;

  SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_columns
    FROM pg_attribute AS a
   WHERE a.attrelid = 'audit.events'::regclass AND a.attnum > 0 AND NOT a.attisdropped;

  EXECUTE format('ALTER TABLE audit.events DETACH PARTITION audit.%I', v_default);
  FOR v_start IN EXECUTE format('SELECT DISTINCT audit.partition_start(occurred_at) FROM audit.%I ORDER BY 1', v_default) LOOP
    v_name := audit.ensure_partition(v_start);
    IF v_name IS NOT NULL THEN
      RETURN QUERY SELECT 'created'::text, p.partition, p.range_from, p.range_to, NULL::bigint
                     FROM audit.partitions() AS p WHERE p.partition = v_name;
    END IF;
  END LOOP;

  RETURN QUERY EXECUTE format(
    'SELECT ''moved''::text, p.partition, p.range_from, p.range_to, count(*)
       FROM audit.%I AS e
       JOIN audit.partitions() AS p ON NOT p.is_default AND e.occurred_at >= p.range_from AND e.occurred_at < p.range_to
      GROUP BY 2, 3, 4 ORDER BY 3', v_default);
  EXECUTE format('INSERT INTO audit.events (%s) SELECT %s FROM audit.%I', v_columns, v_columns, v_default);

  EXECUTE format('DROP TABLE audit.%I', v_default);
  EXECUTE format('CREATE TABLE audit.%I PARTITION OF audit.events DEFAULT', v_default);
  -- As in audit.create_partition: statement-level TRUNCATE triggers are not inherited.
  EXECUTE format('CREATE TRIGGER guard_truncate BEFORE TRUNCATE ON audit.%I FOR EACH STATEMENT EXECUTE FUNCTION audit.guard()', v_default);
END
$fn$;
