-- pgtrail_console: the NOLOGIN role the console runs as. Its pool switches to it on every new
-- connection (SET ROLE), so whatever login DATABASE_URL names, the console can only
--   read the audit schema (member of pgtrail_reader),
--   read and write its own tables in schema console (users, sessions, throttle, settings),
--   call audit.log_event (sign-in events) and audit.maintain (the fallback maintenance timer).
-- Roles are cluster-wide, so creation is idempotent.
DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'pgtrail_console') THEN
    CREATE ROLE pgtrail_console NOLOGIN;
  END IF;
  GRANT pgtrail_reader TO pgtrail_console;
  -- The installing role runs the console by default, so it must be able to SET ROLE to it.
  IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
     AND NOT pg_catalog.pg_has_role(current_user, 'pgtrail_console', 'MEMBER') THEN
    EXECUTE pg_catalog.format('GRANT pgtrail_console TO %I', current_user);
  END IF;
END
$roles$;
