-- audit.record_ddl() — the function of the event triggers pgtrail_ddl_end and pgtrail_ddl_drop
-- Records DDL on an audited table as one audit.ddl event per table and command, in the transaction
-- of the DDL (so it commits with the change or not at all), with the caller's context:
--   ddl_command_end: ALTER TABLE (columns, RENAME, DISABLE / ENABLE TRIGGER, …) on a table that
--     carries a capture trigger (one running an audit.capture_* function) or is in the registry;
--     ALTER TRIGGER on a capture trigger;
--   sql_drop: DROP TABLE of a table in the registry or with a capture trigger, DROP TRIGGER of a
--     capture trigger (pgtrail_*: once dropped, its function can no longer be looked up).
-- Object identities are known only once a command ran, so this is after the change, never before.
-- pgtrail's own enable and disable are recorded by audit.audited_tables_changed instead: DDL in a
-- transaction that (re)created a capture function (pg_proc row written by this transaction), or a
-- DROP that drops the capture function itself, is left out — creating or dropping a function in
-- schema audit needs the owner role, which could edit the trail anyway.
-- metadata: command_tag, object_type, object_identity, table, and for ALTER the capture triggers'
-- firing state afterwards (pg_trigger.tgenabled: O ordinary, D disabled, R replica only, A always).
CREATE FUNCTION audit.record_ddl() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  v_cmd      record;
  v_table    text;
  v_triggers jsonb;
  v_done     text[] := '{}';
BEGIN
  IF EXISTS (SELECT FROM pg_proc
              WHERE pronamespace = 'audit'::regnamespace AND proname LIKE 'capture\_%'
                AND xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text) THEN
    RETURN;  -- pgtrail enable in this transaction
  END IF;

  IF TG_EVENT = 'ddl_command_end' THEN
    FOR v_cmd IN
      SELECT DISTINCT c.command_tag, c.object_type, c.object_identity, c.classid, c.objid
        FROM pg_event_trigger_ddl_commands() AS c
       WHERE c.classid IN ('pg_class'::regclass, 'pg_trigger'::regclass) AND c.object_type IN ('table', 'trigger')
    LOOP
      IF v_cmd.object_type = 'trigger' THEN
        -- A capture trigger is one that runs a capture function (its name may have been changed).
        SELECT t.tgrelid::regclass::text INTO v_table FROM pg_trigger AS t JOIN pg_proc AS p ON p.oid = t.tgfoid
         WHERE t.oid = v_cmd.objid AND p.pronamespace = 'audit'::regnamespace AND p.proname LIKE 'capture\_%';
        CONTINUE WHEN v_table IS NULL;
        SELECT pg_catalog.jsonb_object_agg(t.tgname, t.tgenabled::text) INTO v_triggers FROM pg_trigger AS t JOIN pg_proc AS p ON p.oid = t.tgfoid
         WHERE t.tgrelid = (SELECT tgrelid FROM pg_trigger WHERE oid = v_cmd.objid) AND NOT t.tgisinternal
           AND p.pronamespace = 'audit'::regnamespace AND p.proname LIKE 'capture\_%';
      ELSE
        SELECT pg_catalog.jsonb_object_agg(t.tgname, t.tgenabled::text) INTO v_triggers FROM pg_trigger AS t JOIN pg_proc AS p ON p.oid = t.tgfoid
         WHERE t.tgrelid = v_cmd.objid AND NOT t.tgisinternal
           AND p.pronamespace = 'audit'::regnamespace AND p.proname LIKE 'capture\_%';
        CONTINUE WHEN v_triggers IS NULL AND NOT EXISTS (
          SELECT FROM audit.audited_tables AS a, pg_class AS c, pg_namespace AS n
           WHERE c.oid = v_cmd.objid AND n.oid = c.relnamespace AND a.schema_name = n.nspname AND a.table_name = c.relname);
        v_table := v_cmd.object_identity;
      END IF;
      CONTINUE WHEN v_table = ANY (v_done);
      v_done := v_done || v_table;
      PERFORM audit.log_event('audit.ddl', 'audit.audited_tables', v_table, pg_catalog.jsonb_build_object(
        'command_tag', v_cmd.command_tag, 'object_type', v_cmd.object_type, 'object_identity', v_cmd.object_identity,
        'table', v_table, 'capture_triggers', v_triggers));
    END LOOP;
    RETURN;
  END IF;

  -- sql_drop
  IF EXISTS (SELECT FROM pg_event_trigger_dropped_objects() AS d
              WHERE d.object_type = 'function' AND d.schema_name = 'audit' AND d.object_name LIKE 'capture\_%') THEN
    RETURN;  -- pgtrail disable: recorded as audit.disable
  END IF;
  FOR v_cmd IN
    SELECT d.object_type, d.object_identity,
           CASE WHEN d.object_type = 'trigger' THEN pg_catalog.quote_ident(d.address_names[1]) || '.' || pg_catalog.quote_ident(d.address_names[2])
                ELSE d.object_identity END AS tbl
      FROM pg_event_trigger_dropped_objects() AS d
     WHERE (d.object_type = 'trigger' AND d.address_names[3] LIKE 'pgtrail\_%')
        OR (d.object_type = 'table' AND EXISTS (SELECT FROM audit.audited_tables AS a
                                                WHERE a.schema_name = d.schema_name AND a.table_name = d.object_name))
     ORDER BY d.object_type = 'table' DESC
  LOOP
    CONTINUE WHEN v_cmd.tbl = ANY (v_done);
    v_done := v_done || v_cmd.tbl;
    PERFORM audit.log_event('audit.ddl', 'audit.audited_tables', v_cmd.tbl, pg_catalog.jsonb_build_object(
      'command_tag', TG_TAG, 'object_type', v_cmd.object_type, 'object_identity', v_cmd.object_identity, 'table', v_cmd.tbl));
  END LOOP;
END
$fn$;
