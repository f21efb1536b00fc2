-- audit.audited_tables_changed() — AFTER trigger on audit.audited_tables
-- Every enable, re-render, option change and disable writes the registry row in the same
-- transaction as the capture triggers it installs or drops, whichever path ran it (`pgtrail
-- enable`/`disable`, the migration helpers, a file written by `pgtrail generate`, SQL by hand). So
-- recording it here records each of them exactly once, with the caller's context (without one, the
-- database role), and it commits with the trigger change or not at all:
--   insert → audit.enable (outcome created); update with other options → audit.options_change;
--   update with the same options → audit.enable (outcome updated) when the rendered SQL or the
--   template changed, nothing when the same triggers were only installed again (an idempotent
--   re-run: migrations, the demo, `pgtrail enable` on a current table); delete → audit.disable.
CREATE FUNCTION audit.audited_tables_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  v_row    audit.audited_tables := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  v_table  text := v_row.schema_name || '.' || v_row.table_name;
  v_action text;
  v_outcome text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    v_action := 'audit.enable';
    v_outcome := 'created';
  ELSIF TG_OP = 'DELETE' THEN
    v_action := 'audit.disable';
  ELSIF OLD.options IS DISTINCT FROM NEW.options THEN
    v_action := 'audit.options_change';
  ELSIF OLD.sql_hash IS DISTINCT FROM NEW.sql_hash OR OLD.template_version IS DISTINCT FROM NEW.template_version
        OR OLD.key_columns IS DISTINCT FROM NEW.key_columns THEN
    v_action := 'audit.enable';
    v_outcome := 'updated';
  ELSE
    RETURN NULL;
  END IF;
  PERFORM audit.log_event(v_action, 'audit.audited_tables', v_table, pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
    'table', v_table,
    'outcome', v_outcome,
    'old_options', CASE WHEN TG_OP <> 'INSERT' THEN OLD.options END,
    'new_options', CASE WHEN TG_OP <> 'DELETE' THEN NEW.options END,
    'old_template_version', CASE WHEN TG_OP <> 'INSERT' THEN OLD.template_version END,
    'template_version', CASE WHEN TG_OP <> 'DELETE' THEN NEW.template_version END,
    'sql_hash', CASE WHEN TG_OP <> 'DELETE' THEN NEW.sql_hash END)));
  RETURN NULL;
END
$fn$;
