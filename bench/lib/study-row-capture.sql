-- Study fixture for bench:peers (config pgtrail_row), not product code: what pgtrail's capture
-- would cost as a row-level trigger. It writes the same event record as template v2 into the same
-- audit.events (context from audit.current_context(), changed-columns-only old_data,
-- changed_fields, key as target_id) but generically, through jsonb: per-row key diff with
-- jsonb_each instead of generated per-column comparisons, no oversized-value checks, no redaction.
-- Installed after `pgtrail migrate`; the key column is the trigger's argument.
CREATE FUNCTION audit.study_capture_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  v_ctx audit.context;
  v_old jsonb;
  v_new jsonb;
  v_changed_old jsonb;
  v_changed text[];
  v_key text;
  v_n int;
BEGIN
  IF TG_NARGS > 1 THEN  -- pgtrail_hybrid (below): only the first 16 rows of a statement
    v_key := 'pgtrail.n_' || TG_RELID || '_' || pg_trigger_depth();
    v_n := coalesce(nullif(current_setting(v_key, true), ''), '0')::int + 1;
    PERFORM set_config(v_key, v_n::text, true);
    IF v_n > 16 THEN
      RETURN NULL;
    END IF;
  END IF;
  v_ctx := audit.current_context();
  IF TG_OP = 'INSERT' THEN
    v_new := to_jsonb(NEW);
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, user_agent, request_id, db_user, app_name, new_data, metadata)
    VALUES (statement_timestamp(), txid_current(), 'insert', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, v_new ->> TG_ARGV[0],
            v_ctx.actor_type, v_ctx.actor_id, v_ctx.actor_name, v_ctx.ip, v_ctx.user_agent, v_ctx.request_id, v_ctx.db_user, v_ctx.app_name, v_new, v_ctx.metadata);
  ELSIF TG_OP = 'UPDATE' THEN
    v_old := to_jsonb(OLD);
    v_new := to_jsonb(NEW);
    SELECT jsonb_object_agg(e.key, e.value), array_agg(e.key) INTO v_changed_old, v_changed
      FROM jsonb_each(v_old) AS e WHERE v_new -> e.key IS DISTINCT FROM e.value;
    IF v_changed IS NULL THEN
      RETURN NULL;
    END IF;
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, user_agent, request_id, db_user, app_name, old_data, new_data, changed_fields, metadata)
    VALUES (statement_timestamp(), txid_current(), 'update', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, v_new ->> TG_ARGV[0],
            v_ctx.actor_type, v_ctx.actor_id, v_ctx.actor_name, v_ctx.ip, v_ctx.user_agent, v_ctx.request_id, v_ctx.db_user, v_ctx.app_name, v_changed_old, v_new, v_changed, v_ctx.metadata);
  ELSE
    v_old := to_jsonb(OLD);
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, user_agent, request_id, db_user, app_name, old_data, metadata)
    VALUES (statement_timestamp(), txid_current(), 'delete', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, v_old ->> TG_ARGV[0],
            v_ctx.actor_type, v_ctx.actor_id, v_ctx.actor_name, v_ctx.ip, v_ctx.user_agent, v_ctx.request_id, v_ctx.db_user, v_ctx.app_name, v_old, v_ctx.metadata);
  END IF;
  RETURN NULL;
END
$fn$;
ALTER FUNCTION audit.study_capture_row() OWNER TO pgtrail_owner;

-- Config pgtrail_hybrid: the row-level function above (with a second argument) for the first rows of each statement, a
-- statement-level trigger with transition tables for the rest. The row trigger counts its calls
-- per (table, trigger depth) in a transaction-local setting; after 16 it returns at once, and the
-- statement trigger, which fires after every row trigger of its statement, writes rows 17…n from
-- the transition tables set-based (row events fire in the order the rows were appended to them)
-- and resets the count.
CREATE FUNCTION audit.study_hybrid_stmt() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  v_key text := 'pgtrail.n_' || TG_RELID || '_' || pg_trigger_depth();
  v_n int := coalesce(nullif(current_setting(v_key, true), ''), '0')::int;
  v_ctx audit.context;
BEGIN
  IF v_n = 0 THEN
    RETURN NULL;
  END IF;
  PERFORM set_config(v_key, '0', true);
  IF v_n <= 16 THEN
    RETURN NULL;
  END IF;
  v_ctx := audit.current_context();
  IF TG_OP = 'INSERT' THEN
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, user_agent, request_id, db_user, app_name, new_data, metadata)
    SELECT statement_timestamp(), txid_current(), 'insert', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, x.n ->> TG_ARGV[0],
           v_ctx.actor_type, v_ctx.actor_id, v_ctx.actor_name, v_ctx.ip, v_ctx.user_agent, v_ctx.request_id, v_ctx.db_user, v_ctx.app_name, x.n, v_ctx.metadata
      FROM (SELECT row_number() OVER () AS rn, to_jsonb(t) AS n FROM study_new AS t) AS x WHERE x.rn > 16;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, user_agent, request_id, db_user, app_name, old_data, metadata)
    SELECT statement_timestamp(), txid_current(), 'delete', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, x.o ->> TG_ARGV[0],
           v_ctx.actor_type, v_ctx.actor_id, v_ctx.actor_name, v_ctx.ip, v_ctx.user_agent, v_ctx.request_id, v_ctx.db_user, v_ctx.app_name, x.o, v_ctx.metadata
      FROM (SELECT row_number() OVER () AS rn, to_jsonb(t) AS o FROM study_old AS t) AS x WHERE x.rn > 16;
  ELSE
    INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, user_agent, request_id, db_user, app_name, old_data, new_data, changed_fields, metadata)
    SELECT statement_timestamp(), txid_current(), 'update', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, p.n ->> TG_ARGV[0],
           v_ctx.actor_type, v_ctx.actor_id, v_ctx.actor_name, v_ctx.ip, v_ctx.user_agent, v_ctx.request_id, v_ctx.db_user, v_ctx.app_name, d.old_changed, p.n, d.changed, v_ctx.metadata
      FROM (SELECT o.o, n.n FROM (SELECT row_number() OVER () AS rn, to_jsonb(t) AS o FROM study_old AS t) AS o
                            JOIN (SELECT row_number() OVER () AS rn, to_jsonb(t) AS n FROM study_new AS t) AS n ON n.rn = o.rn
             WHERE o.rn > 16) AS p
     CROSS JOIN LATERAL (SELECT jsonb_object_agg(e.key, e.value) AS old_changed, array_agg(e.key) AS changed
                           FROM jsonb_each(p.o) AS e WHERE p.n -> e.key IS DISTINCT FROM e.value) AS d
     WHERE d.changed IS NOT NULL;
  END IF;
  RETURN NULL;
END
$fn$;
ALTER FUNCTION audit.study_hybrid_stmt() OWNER TO pgtrail_owner;
