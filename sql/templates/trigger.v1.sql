-- pgtrail capture template v1 — frozen: a change here is a new template version (trigger.v2.sql).
-- One statement-level function per audited table. Per statement: read the context once, then one
-- INSERT … SELECT over the transition table(s); nothing is looked up or parsed per row.
-- UPDATE pairs old and new rows by their position in the transition tables: PostgreSQL appends
-- each updated row's old and new versions to the two tuplestores in the same call
-- (AfterTriggerSaveEvent), so position N of OLD TABLE and NEW TABLE are the same row — also when
-- the key changes or the row moves between partitions, where a join on the key would mis-pair.
-- Row aliases ({{n}}, {{o}}, {{t}}) are chosen by the renderer to differ from every column name:
-- a bare alias that equals a column name would mean the column, not the whole row.
CREATE OR REPLACE FUNCTION {{function}}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $pgtrail$
DECLARE
  v_ctx audit.context := audit.current_context();
  v_at  timestamptz := statement_timestamp();
  v_tx  bigint := txid_current();
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO audit.events ({{columns}}, new_data, metadata)
    SELECT v_at, v_tx, 'insert', {{target_type}}, {{insert_target_id}}, {{context}},
           {{insert_new_data}}, {{insert_metadata}}
      FROM pgtrail_new AS {{n}};
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO audit.events ({{columns}}, old_data, new_data, changed_fields, metadata)
    SELECT v_at, v_tx, 'update', {{target_type}}, {{update_target_id}}, {{context}},
           {{update_old_data}}, {{update_new_data}}, d.changed, {{update_metadata}}
      FROM (SELECT o.r AS old_row, n.r AS new_row,
                   pg_catalog.array_remove({{changed_fields}}, NULL) AS changed
              FROM (SELECT pg_catalog.row_number() OVER () AS rn, {{t}} AS r FROM pgtrail_old AS {{t}}) AS o
              JOIN (SELECT pg_catalog.row_number() OVER () AS rn, {{t}} AS r FROM pgtrail_new AS {{t}}) AS n
                ON n.rn = o.rn
            OFFSET 0) AS d   -- the fence keeps `changed` computed once per row
     WHERE {{update_filter}};
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO audit.events ({{columns}}, old_data, metadata)
    SELECT v_at, v_tx, 'delete', {{target_type}}, {{delete_target_id}}, {{context}},
           {{delete_old_data}}, {{delete_metadata}}
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
