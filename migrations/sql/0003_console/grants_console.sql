-- What the console role may do (migration 0003). Nothing in schema console is PUBLIC.
REVOKE ALL ON SCHEMA console FROM PUBLIC;
GRANT USAGE ON SCHEMA console TO pgtrail_console;
GRANT SELECT, INSERT, UPDATE, DELETE ON console.users, console.sessions, console.sign_in_failures, console.settings
  TO pgtrail_console;
-- users.id is an identity column: inserting needs its sequence.
GRANT USAGE ON ALL SEQUENCES IN SCHEMA console TO pgtrail_console;
-- The fallback maintenance timer runs in the console process when pg_cron is absent.
GRANT EXECUTE ON FUNCTION audit.maintain(timestamptz) TO pgtrail_console;
