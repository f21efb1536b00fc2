-- audit.event_form(e audit.events) → text, audit.event_digest(e audit.events) → bytea (32)
-- The canonical form of one event (form 1) and its SHA-256, which seals are computed over
-- (docs/integrity.md). The form is a JSON array, built only from values whose text never depends
-- on the session (TimeZone, DateStyle, IntervalStyle, extra_float_digits, lc_*): integers, text,
-- jsonb (keys sorted by jsonb itself; numbers are numeric) and occurred_at rendered by an explicit
-- pattern in UTC. Order: form, id, occurred_at, tx_id, action, target_type, target_id,
-- actor_type, actor_id, actor_name, ip, user_agent, request_id, db_user, app_name, old_data,
-- new_data, changed_fields, metadata; NULL is null. The digest is over its UTF-8 bytes.
-- Plain SQL, STABLE (as json_build_array and to_char are) and with no SET clause, so the planner
-- inlines it into the sealer's and verifier's scans (declared IMMUTABLE it is not inlined: over 10x slower).
CREATE FUNCTION audit.event_form(e audit.events) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
  SELECT pg_catalog.json_build_array(
    1, e.id, pg_catalog.to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.tx_id,
    e.action, e.target_type, e.target_id, e.actor_type, e.actor_id, e.actor_name, e.ip::text,
    e.user_agent, e.request_id, e.db_user, e.app_name, e.old_data, e.new_data, e.changed_fields, e.metadata)::text
$fn$;

CREATE FUNCTION audit.event_digest(e audit.events) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
  SELECT pg_catalog.sha256(pg_catalog.convert_to(audit.event_form(e), 'UTF8'))
$fn$;
