-- audit.log_event(p_action, p_target_type, p_target_id, p_metadata) → the new event's id
-- Records an application event that is not a row change (auth.sign_in, broadcast.send) with the
-- current context. The only way for application roles to add rows to audit.events.
CREATE FUNCTION audit.log_event(p_action text, p_target_type text, p_target_id text, p_metadata jsonb DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  v_ctx audit.context := audit.current_context();
  v_id  bigint;
BEGIN
  IF p_action IS NULL OR p_action !~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$' OR length(p_action) > 100 THEN
    RAISE EXCEPTION 'audit.log_event: action must look like noun.verb in lower case (got "%")', p_action
      USING ERRCODE = '22023', HINT = 'e.g. auth.sign_in, broadcast.send';
  END IF;
  IF p_target_type IS NULL OR p_target_type = '' OR octet_length(p_target_type) > 200 THEN
    RAISE EXCEPTION 'audit.log_event: target_type is required (at most 200 bytes)' USING ERRCODE = '22023';
  END IF;
  IF octet_length(p_target_id) > 1024 THEN
    RAISE EXCEPTION 'audit.log_event: target_id is longer than 1024 bytes' USING ERRCODE = '22001';
  END IF;
  IF p_metadata IS NOT NULL AND jsonb_typeof(p_metadata) <> 'object' THEN
    RAISE EXCEPTION 'audit.log_event: metadata must be a JSON object' USING ERRCODE = '22023';
  END IF;

  INSERT INTO audit.events (tx_id, action, target_type, target_id, actor_type, actor_id, actor_name,
                            ip, user_agent, request_id, db_user, app_name, metadata)
  VALUES (txid_current(), p_action, p_target_type, p_target_id, v_ctx.actor_type, v_ctx.actor_id,
          v_ctx.actor_name, v_ctx.ip, v_ctx.user_agent, v_ctx.request_id, v_ctx.db_user, v_ctx.app_name,
          CASE WHEN v_ctx.metadata IS NULL THEN p_metadata ELSE v_ctx.metadata || coalesce(p_metadata, '{}') END)
  RETURNING id INTO v_id;
  RETURN v_id;
END
$fn$;
