-- pgtrail capture template v3 — frozen once released: a change here is a new template version.
-- v3 over v2: each event also records target_label (the table's label expression, evaluated on
-- the new row, or the old one for a delete; src/generator/label.ts writes it) and, for updates,
-- verb (the first verb rule the old → new change matches; src/generator/verbs.ts). A table that
-- declares neither records NULL for both and runs the same statements as v2.
-- A label must never make the audited write fail. For a labelled table the block between the
-- capture markers is rendered twice: first with the label inline (set-based, no per-row cost),
-- and, should that raise (a label that divides by zero on one row), again in the exception
-- handler with each row's label evaluated on its own by the table's label function, which returns the
-- label or, for a row where it raised, NULL and the error, recorded as metadata.label_error.
-- The handler's subtransaction is one per audited statement, not per row; the second pass runs
-- only when a label raised. Verb rules compare text forms, which never raise.
-- The body's dollar quote ({{tag}}) is chosen by the renderer so that nothing rendered into the
-- body (a literal, a name) contains it.
CREATE OR REPLACE FUNCTION {{function}}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp{{canonical_settings}}
AS {{tag}}
DECLARE
  v_ctx audit.context := audit.current_context();
  v_at  timestamptz := statement_timestamp();
  v_tx  bigint := txid_current();
BEGIN
  -- capture:begin
  IF TG_OP = 'INSERT' THEN
    IF {{oversized_new}} THEN
      INSERT INTO audit.events ({{columns}}, new_data, metadata, target_label, verb)
      SELECT v_at, v_tx, 'insert', {{target_type}}, {{insert_target_id}}, {{context}},
             {{insert_new_data_capped}}, {{insert_metadata_capped}}, {{insert_label}}, NULL
        FROM pgtrail_new AS {{n}}{{insert_label_join}};
    ELSE
      INSERT INTO audit.events ({{columns}}, new_data, metadata, target_label, verb)
      SELECT v_at, v_tx, 'insert', {{target_type}}, {{insert_target_id}}, {{context}},
             {{insert_new_data}}, {{insert_metadata}}, {{insert_label}}, NULL
        FROM pgtrail_new AS {{n}}{{insert_label_join}};
    END IF;
  ELSIF TG_OP = 'UPDATE' THEN
    IF {{oversized_old_new}} THEN
      INSERT INTO audit.events ({{columns}}, old_data, new_data, changed_fields, metadata, target_label, verb)
      SELECT v_at, v_tx, 'update', {{target_type}}, {{update_target_id_capped}}, {{context}},
             ({{update_old_data_capped}}) - d.unchanged, {{update_new_data_capped}}, d.changed, {{update_metadata_capped}},
             {{update_label_capped}}, {{update_verb_capped}}
        FROM {{update_pairs_capped}}{{update_label_join_capped}}
       WHERE {{update_filter}};
    ELSE
      INSERT INTO audit.events ({{columns}}, old_data, new_data, changed_fields, metadata, target_label, verb)
      SELECT v_at, v_tx, 'update', {{target_type}}, {{update_target_id}}, {{context}},
             ({{update_old_data}}) - d.unchanged, {{update_new_data}}, d.changed, {{update_metadata}},
             {{update_label}}, {{update_verb}}
        FROM ({{update_pairs}}) AS d{{update_label_join}}
       WHERE {{update_filter}};
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    IF {{oversized_old}} THEN
      INSERT INTO audit.events ({{columns}}, old_data, metadata, target_label, verb)
      SELECT v_at, v_tx, 'delete', {{target_type}}, {{delete_target_id}}, {{context}},
             {{delete_old_data_capped}}, {{delete_metadata_capped}}, {{delete_label}}, NULL
        FROM pgtrail_old AS {{o}}{{delete_label_join}};
    ELSE
      INSERT INTO audit.events ({{columns}}, old_data, metadata, target_label, verb)
      SELECT v_at, v_tx, 'delete', {{target_type}}, {{delete_target_id}}, {{context}},
             {{delete_old_data}}, {{delete_metadata}}, {{delete_label}}, NULL
        FROM pgtrail_old AS {{o}}{{delete_label_join}};
    END IF;
  ELSIF TG_OP = 'TRUNCATE' THEN
    INSERT INTO audit.events ({{columns}}, metadata, target_label, verb)
    VALUES (v_at, v_tx, 'truncate', {{target_type}}, NULL, {{context}}, v_ctx.metadata, NULL, NULL);
  END IF;
  -- capture:end
  RETURN NULL;
END
{{tag}};
ALTER FUNCTION {{function}}() OWNER TO pgtrail_owner;
REVOKE ALL ON FUNCTION {{function}}() FROM PUBLIC;
{{label_function_sql}}{{triggers}}
