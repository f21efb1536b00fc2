-- pgtrail capture template v2 — frozen once released: a change here is a new template version.
-- v2 over v1: row images in one canonical form whatever the writing session's settings (the SET
-- clauses below: to_jsonb renders timestamptz, intervals, floats, bytea and money with the session's
-- TimeZone, IntervalStyle, extra_float_digits, bytea_output and lc_monetary); only the settings
-- that some column's type depends on are pinned.
-- One statement-level function per audited table. Per statement: read the context once, then one
-- INSERT … SELECT over the transition table(s); nothing is looked up or parsed per row.
-- UPDATE pairs old and new rows by their position in the transition tables: PostgreSQL appends
-- each updated row's old and new versions to the two tuplestores in the same call
-- (AfterTriggerSaveEvent), so position N of OLD TABLE and NEW TABLE are the same row — also when
-- the key changes or the row moves between partitions, where a join on the key would mis-pair.
-- For an update, old_data holds the previous values of the changed columns only; the full
-- before-image is new_data || old_data.
-- Oversized rows take a second, per-column statement, chosen once per statement by the
-- {{oversized_*}} checks, so the ordinary statement stays small (executor start-up is paid on
-- every audited statement). The checks and the capped statements refer to columns, never to the
-- whole row: a whole-row value reads every TOASTed column (PostgreSQL inlines them), which made
-- an UPDATE of a small column of rows holding megabytes read and hash every big value in v1.
-- An oversized value an UPDATE did not change is recorded as {"$pgtrail":"oversized","bytes":…,
-- "unchanged":true}; its md5 is in the event that wrote it.
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
    IF {{oversized_new}} THEN
      INSERT INTO audit.events ({{columns}}, new_data, metadata)
      SELECT v_at, v_tx, 'insert', {{target_type}}, {{insert_target_id}}, {{context}},
             {{insert_new_data_capped}}, {{insert_metadata_capped}}
        FROM pgtrail_new AS {{n}};
    ELSE
      INSERT INTO audit.events ({{columns}}, new_data, metadata)
      SELECT v_at, v_tx, 'insert', {{target_type}}, {{insert_target_id}}, {{context}},
             {{insert_new_data}}, v_ctx.metadata
        FROM pgtrail_new AS {{n}};
    END IF;
  ELSIF TG_OP = 'UPDATE' THEN
    IF {{oversized_old_new}} THEN
      INSERT INTO audit.events ({{columns}}, old_data, new_data, changed_fields, metadata)
      SELECT v_at, v_tx, 'update', {{target_type}}, {{update_target_id_capped}}, {{context}},
             ({{update_old_data_capped}}) - d.unchanged, {{update_new_data_capped}}, d.changed, {{update_metadata_capped}}
        FROM {{update_pairs_capped}}
       WHERE {{update_filter}};
    ELSE
      INSERT INTO audit.events ({{columns}}, old_data, new_data, changed_fields, metadata)
      SELECT v_at, v_tx, 'update', {{target_type}}, {{update_target_id}}, {{context}},
             ({{update_old_data}}) - d.unchanged, {{update_new_data}}, d.changed, {{update_metadata}}
        FROM ({{update_pairs}}) AS d
       WHERE {{update_filter}};
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    IF {{oversized_old}} THEN
      INSERT INTO audit.events ({{columns}}, old_data, metadata)
      SELECT v_at, v_tx, 'delete', {{target_type}}, {{delete_target_id}}, {{context}},
             {{delete_old_data_capped}}, {{delete_metadata_capped}}
        FROM pgtrail_old AS {{o}};
    ELSE
      INSERT INTO audit.events ({{columns}}, old_data, metadata)
      SELECT v_at, v_tx, 'delete', {{target_type}}, {{delete_target_id}}, {{context}},
             {{delete_old_data}}, v_ctx.metadata
        FROM pgtrail_old AS {{o}};
    END IF;
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
