-- audit.event_form(e audit.events) → text, v2 (migration 0012; form 1 was 0010's)
-- The canonical form of one event, which seals are computed over (docs/integrity.md). An event
-- whose target_label and verb are both NULL has form 1, byte for byte as 0010 wrote it, so every
-- seal made before stays verifiable and unlabelled events hash as they always did. An event with
-- either has form 2: form 1's array with a leading 2 and [target_label, verb] appended.
-- audit.event_digest (0010) hashes this function's result and is unchanged. Plain SQL, STABLE,
-- no SET clause: inlined into the sealer's and verifier's scans, as form 1 was.
CREATE OR REPLACE FUNCTION audit.event_form(e audit.events) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
  SELECT CASE WHEN e.target_label IS NULL AND e.verb IS NULL THEN pg_catalog.json_build_array(
    1, e.id, pg_catalog.to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.tx_id,
    e.action, e.target_type, e.target_id, e.actor_type, e.actor_id, e.actor_name, e.ip::text,
    e.user_agent, e.request_id, e.db_user, e.app_name, e.old_data, e.new_data, e.changed_fields, e.metadata)::text
  ELSE pg_catalog.json_build_array(
    2, e.id, pg_catalog.to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.tx_id,
    e.action, e.target_type, e.target_id, e.actor_type, e.actor_id, e.actor_name, e.ip::text,
    e.user_agent, e.request_id, e.db_user, e.app_name, e.old_data, e.new_data, e.changed_fields, e.metadata,
    e.target_label, e.verb)::text END
$fn$;
