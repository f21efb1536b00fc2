-- audit.current_context()
-- The acting party for the current statement: what audit.set_context declared, or, without it,
-- the database role and client address, so a DBA's change from psql is still attributed.
-- Called once per audited statement (never per row). Values were validated by set_context; a
-- hand-made pgtrail.context that does not parse fails the statement rather than log garbage.
-- session_user, not current_user: inside SECURITY DEFINER current_user is pgtrail_owner.
CREATE FUNCTION audit.current_context() RETURNS audit.context
LANGUAGE sql STABLE AS $fn$
  SELECT CASE WHEN c.raw IS NULL OR c.raw = '' THEN
           ROW('db_role', session_user::text, session_user::text, pg_catalog.inet_client_addr(),
               NULL, NULL, session_user::text, pg_catalog.current_setting('application_name'), NULL)::audit.context
         ELSE
           (SELECT ROW(j ->> 'actor_type', j ->> 'actor_id', j ->> 'actor_name', (j ->> 'ip')::inet,
                       j ->> 'user_agent', j ->> 'request_id', session_user::text,
                       pg_catalog.current_setting('application_name'), j -> 'metadata')::audit.context
              FROM (SELECT c.raw::jsonb AS j) AS parsed)
         END
    FROM (SELECT pg_catalog.current_setting('pgtrail.context', true) AS raw) AS c
$fn$;
