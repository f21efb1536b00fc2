-- audit.set_context(p_context jsonb)
-- Declares who is acting for the rest of the current transaction. Validates every key once here,
-- so the per-statement read in audit.current_context() can stay cheap.
-- Transaction-local (set_config(..., true)): correct behind PgBouncer in transaction mode and never
-- leaks into the next transaction on a pooled connection. Deliberately SECURITY INVOKER and without
-- a SET clause: a function-level SET would roll the setting back when the function returns.
CREATE FUNCTION audit.set_context(p_context jsonb) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  v_key   text;
  v_value jsonb;
  v_out   jsonb := '{}'::jsonb;
  c_max   constant integer := 1024;   -- bytes per text value
BEGIN
  IF p_context IS NULL OR pg_catalog.jsonb_typeof(p_context) <> 'object' THEN
    RAISE EXCEPTION 'audit.set_context: context must be a JSON object'
      USING ERRCODE = '22023', HINT = 'e.g. {"actor_type":"user","actor_id":"42"}';
  END IF;

  FOR v_key, v_value IN SELECT e.key, e.value FROM pg_catalog.jsonb_each(p_context) AS e LOOP
    CONTINUE WHEN pg_catalog.jsonb_typeof(v_value) = 'null';
    IF v_key = 'metadata' THEN
      IF pg_catalog.jsonb_typeof(v_value) <> 'object' THEN
        RAISE EXCEPTION 'audit.set_context: "metadata" must be a JSON object' USING ERRCODE = '22023';
      END IF;
      IF pg_catalog.octet_length(v_value::text) > 8192 THEN
        RAISE EXCEPTION 'audit.set_context: "metadata" is larger than 8192 bytes' USING ERRCODE = '22001';
      END IF;
      v_out := v_out || pg_catalog.jsonb_build_object(v_key, v_value);
      CONTINUE;
    END IF;
    IF v_key NOT IN ('actor_type', 'actor_id', 'actor_name', 'ip', 'user_agent', 'request_id') THEN
      RAISE EXCEPTION 'audit.set_context: unknown key "%"', v_key USING ERRCODE = '22023',
        HINT = 'allowed keys: actor_type, actor_id, actor_name, ip, user_agent, request_id, metadata';
    END IF;
    IF pg_catalog.jsonb_typeof(v_value) NOT IN ('string', 'number') THEN
      RAISE EXCEPTION 'audit.set_context: "%" must be a string', v_key USING ERRCODE = '22023';
    END IF;
    IF pg_catalog.octet_length(v_value #>> '{}') > c_max THEN
      RAISE EXCEPTION 'audit.set_context: "%" is longer than % bytes', v_key, c_max USING ERRCODE = '22001';
    END IF;
    v_out := v_out || pg_catalog.jsonb_build_object(v_key, v_value #>> '{}');
  END LOOP;

  IF NOT (v_out ? 'actor_type') THEN
    RAISE EXCEPTION 'audit.set_context: "actor_type" is required' USING ERRCODE = '22023',
      HINT = 'one of user, api_token, system, db_role';
  END IF;
  IF (v_out ->> 'actor_type') NOT IN ('user', 'api_token', 'system', 'db_role') THEN
    RAISE EXCEPTION 'audit.set_context: "actor_type" must be one of user, api_token, system, db_role (got "%")',
      v_out ->> 'actor_type' USING ERRCODE = '22023';
  END IF;
  IF v_out ? 'ip' THEN
    BEGIN
      v_out := pg_catalog.jsonb_set(v_out, '{ip}', pg_catalog.to_jsonb(pg_catalog.host((v_out ->> 'ip')::inet)));
    EXCEPTION WHEN invalid_text_representation THEN
      RAISE EXCEPTION 'audit.set_context: "ip" is not an IP address: "%"', v_out ->> 'ip' USING ERRCODE = '22023';
    END;
  END IF;

  PERFORM pg_catalog.set_config('pgtrail.context', v_out::text, true);
END
$fn$;
