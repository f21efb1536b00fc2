-- audit.settings_changed() — BEFORE UPDATE trigger on audit.settings
-- Every change to the settings passes here, whether through audit.set_retention /
-- audit.set_partitioning or a direct UPDATE by the owner, so it is validated and recorded once:
--   * retention: NULL (forever) or at least one day;
--   * partition_interval: a day, a week or a month, and only one whose boundaries fall on the
--     bounds of every existing partition (a finer interval divides the existing ones; a coarser
--     or misaligned one would make new partitions overlap old ones), checked in UTC;
--   * premake: 1 to 366.
-- A refused change raises 22023 and leaves the row as it was. An accepted change that alters
-- retention leaves an audit.retention_changed event, one that alters the interval or premake an
-- audit.partitioning_changed event, both with old and new values and the caller's context.
-- Takes the maintenance lock so that a change never lands in the middle of a maintenance run.
CREATE FUNCTION audit.settings_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET timezone = 'UTC' SET intervalstyle = 'postgres' AS $fn$
DECLARE
  v_unit text;
  v_bad  record;
  v_ctx  audit.context;
BEGIN
  PERFORM pg_advisory_xact_lock(1885828210, 1);  -- the maintenance lock (src/maintenance/lock.ts)
  IF NEW.retention IS NOT NULL AND NOT (NEW.retention >= interval '1 day') THEN
    RAISE EXCEPTION 'retention must be at least 1 day, or forever (got %); settings unchanged', NEW.retention
      USING ERRCODE = '22023';
  END IF;
  IF NEW.premake IS NULL OR NEW.premake NOT BETWEEN 1 AND 366 THEN
    RAISE EXCEPTION 'premake must be between 1 and 366 partitions (got %); settings unchanged', NEW.premake
      USING ERRCODE = '22023';
  END IF;
  IF NEW.partition_interval IS DISTINCT FROM OLD.partition_interval THEN
    v_unit := CASE NEW.partition_interval WHEN interval '1 day' THEN 'day' WHEN interval '1 week' THEN 'week'
                                          WHEN interval '1 month' THEN 'month' END;
    IF v_unit IS NULL THEN
      RAISE EXCEPTION 'partition interval must be 1 day, 1 week or 1 month (got %); settings unchanged', NEW.partition_interval
        USING ERRCODE = '22023';
    END IF;
    SELECT p.partition, p.range_from, p.range_to INTO v_bad
      FROM audit.partitions() AS p
     WHERE NOT p.is_default
       AND (date_trunc(v_unit, p.range_from AT TIME ZONE 'UTC') <> p.range_from AT TIME ZONE 'UTC'
         OR date_trunc(v_unit, p.range_to AT TIME ZONE 'UTC') <> p.range_to AT TIME ZONE 'UTC')
     ORDER BY p.range_from LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'partition interval 1 % does not divide the existing partition audit.% [%, %); settings unchanged',
        v_unit, v_bad.partition, to_char(v_bad.range_from, 'YYYY-MM-DD'), to_char(v_bad.range_to, 'YYYY-MM-DD')
        USING ERRCODE = '22023',
              HINT = 'choose an interval that divides the existing partitions (month → week or day, week → day), or wait until they expire';
    END IF;
  END IF;
  NEW.updated_at := now();

  IF NEW.retention IS DISTINCT FROM OLD.retention
     OR NEW.partition_interval IS DISTINCT FROM OLD.partition_interval OR NEW.premake IS DISTINCT FROM OLD.premake THEN
    v_ctx := audit.current_context();
  END IF;
  IF NEW.retention IS DISTINCT FROM OLD.retention THEN
    INSERT INTO audit.events (tx_id, action, target_type, target_id, actor_type, actor_id, actor_name,
                              ip, user_agent, request_id, db_user, app_name, old_data, new_data, changed_fields, metadata)
    VALUES (txid_current(), 'audit.retention_changed', 'audit.settings', 'retention', v_ctx.actor_type, v_ctx.actor_id,
            v_ctx.actor_name, v_ctx.ip, v_ctx.user_agent, v_ctx.request_id, v_ctx.db_user, v_ctx.app_name,
            jsonb_build_object('retention', OLD.retention::text), jsonb_build_object('retention', NEW.retention::text),
            ARRAY['retention'],
            coalesce(v_ctx.metadata, '{}') || jsonb_build_object('old', coalesce(OLD.retention::text, 'forever'),
                                                                 'new', coalesce(NEW.retention::text, 'forever')));
  END IF;
  IF NEW.partition_interval IS DISTINCT FROM OLD.partition_interval OR NEW.premake IS DISTINCT FROM OLD.premake THEN
    INSERT INTO audit.events (tx_id, action, target_type, target_id, actor_type, actor_id, actor_name,
                              ip, user_agent, request_id, db_user, app_name, old_data, new_data, changed_fields, metadata)
    VALUES (txid_current(), 'audit.partitioning_changed', 'audit.settings', 'partitioning', v_ctx.actor_type, v_ctx.actor_id,
            v_ctx.actor_name, v_ctx.ip, v_ctx.user_agent, v_ctx.request_id, v_ctx.db_user, v_ctx.app_name,
            jsonb_build_object('partition_interval', OLD.partition_interval::text, 'premake', OLD.premake),
            jsonb_build_object('partition_interval', NEW.partition_interval::text, 'premake', NEW.premake),
            array_remove(ARRAY[CASE WHEN NEW.partition_interval IS DISTINCT FROM OLD.partition_interval THEN 'partition_interval' END,
                               CASE WHEN NEW.premake IS DISTINCT FROM OLD.premake THEN 'premake' END], NULL),
            v_ctx.metadata);
  END IF;
  RETURN NEW;
END
$fn$;
