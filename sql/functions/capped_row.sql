-- audit.capped_row(p_row anyelement, p_cap integer) → jsonb
-- The slow path for rows whose stored size exceeds the table's cap: every column value larger
-- than p_cap bytes is replaced by {"$pgtrail":"oversized","bytes":n,"md5":"…"} so that a row
-- holding hundreds of megabytes never makes the audited write fail (to_jsonb of a 600 MB bytea
-- would exceed PostgreSQL's 1 GB value limit). Triggers call it only when pg_column_size(row)
-- is above the cap, so ordinary rows never pay for the per-column dynamic SQL below.
CREATE FUNCTION audit.capped_row(p_row anyelement, p_cap integer) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  v_out  jsonb := '{}'::jsonb;
  v_col  record;
  v_size integer;
  v_val  jsonb;
BEGIN
  FOR v_col IN
    SELECT a.attname, a.atttypid
      FROM pg_catalog.pg_attribute AS a
      JOIN pg_catalog.pg_type AS t ON t.typrelid = a.attrelid
     WHERE t.oid = pg_catalog.pg_typeof(p_row)::oid AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum
  LOOP
    EXECUTE pg_catalog.format('SELECT pg_catalog.pg_column_size(($1).%I)', v_col.attname) INTO v_size USING p_row;
    IF v_size IS NOT NULL AND v_size > p_cap THEN
      EXECUTE pg_catalog.format(
        'SELECT pg_catalog.jsonb_build_object(''$pgtrail'', ''oversized'', ''bytes'', $2, ''md5'', pg_catalog.md5(($1).%I%s))',
        v_col.attname, CASE WHEN v_col.atttypid = 'bytea'::regtype THEN '' ELSE '::text' END)
        INTO v_val USING p_row, v_size;
    ELSE
      EXECUTE pg_catalog.format('SELECT pg_catalog.to_jsonb(($1).%I)', v_col.attname) INTO v_val USING p_row;
    END IF;
    v_out := v_out || pg_catalog.jsonb_build_object(v_col.attname, v_val);
  END LOOP;
  RETURN v_out;
END
$fn$;
