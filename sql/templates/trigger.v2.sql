-- pgtrail capture template v2 — frozen once released: a change here is a new template version.
-- v2 over v1: row images in one canonical form whatever the writing session's settings (the SET
-- clauses below: to_jsonb renders timestamptz, intervals, floats, bytea and money with the session's
-- TimeZone, IntervalStyle, extra_float_digits, bytea_output and lc_monetary); only the settings
-- that some column's type depends on are pinned.
-- One statement-level function per audited table. Per statement: read the context once, then one
-- INSERT … SELECT over the transition table(s): one executor run per audited statement (v1 ran a
-- second one to choose between an ordinary and a capped statement); nothing is looked up per row.
-- UPDATE pairs old and new rows by their position in the transition tables: PostgreSQL appends
-- each updated row's old and new versions to the two tuplestores in the same call
-- (AfterTriggerSaveEvent), so position N of OLD TABLE and NEW TABLE are the same row — also when
-- the key changes or the row moves between partitions, where a join on the key would mis-pair.
-- Each column is compared once per row. For an update, old_data holds the previous values of the
-- changed columns only; the full before-image is new_data || old_data.
-- A row with a value above the cap is built column by column (CASE … oversized), never from the
-- whole row: a whole-row value reads every TOASTed column (PostgreSQL inlines them), which made an
-- UPDATE of a small column of rows holding megabytes read and hash every big value in v1. The
-- checks look at each column's stored size, which needs no TOASTed byte. An oversized value an
-- UPDATE did not change is recorded as {"$pgtrail":"oversized","bytes":…,"unchanged":true}; its
-- md5 is in the event that wrote it.
-- Row aliases ({{n}}, {{o}}, {{t}}) are chosen by the renderer to differ from every column name:
-- a bare alias that equals a column name would mean the column, not the whole row.
CREATE OR REPLACE FUNCTION {{function}}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp{{canonical_settings}}
AS $pgtrail$
DECLARE
  v_ctx audit.context := audit.current_context();
  v_at  timestamptz := statement_timestamp();
  v_tx  bigint := txid_current();
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO audit.events ({{columns}}, new_data, metadata)
    SELECT v_at, v_tx, 'insert', {{target_type}}, {{insert_target_id}}, {{context}},
           CASE WHEN {{insert_oversized}} THEN {{insert_new_data_capped}} ELSE {{insert_new_data}} END,
           {{insert_metadata}}
      FROM pgtrail_new AS {{n}};
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO audit.events ({{columns}}, old_data, new_data, changed_fields, metadata)
    SELECT v_at, v_tx, 'update', {{target_type}}, {{update_target_id}}, {{context}},
           CASE WHEN d.oversized THEN {{update_old_data_capped}} ELSE {{update_old_data}} END - d.unchanged,
           CASE WHEN d.oversized THEN {{update_new_data_capped}} ELSE {{update_new_data}} END,
           d.changed, {{update_metadata}}
      FROM {{update_pairs}}
     WHERE {{update_filter}};
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO audit.events ({{columns}}, old_data, metadata)
    SELECT v_at, v_tx, 'delete', {{target_type}}, {{delete_target_id}}, {{context}},
           CASE WHEN {{delete_oversized}} THEN {{delete_old_data_capped}} ELSE {{delete_old_data}} END,
           {{delete_metadata}}
      FROM pgtrail_old AS {{o}};
  ELSIF TG_OP = 'TRUNCATE' THEN
    INSERT INTO audit.events ({{columns}}, metadata)
    VALUES (v_at, v_tx, 'truncate', {{target_type}}, NULL, {{context}}, v_ctx.metadata);
  END IF;
  RETURN NULL;
END
$pgtrail$;
ALTER FUNCTION {{function}}() OWNER TO pgtrail_owner;
REVOKE ALL ON FUNCTION {{function}}() FROM PUBLIC;
{{triggers}}
