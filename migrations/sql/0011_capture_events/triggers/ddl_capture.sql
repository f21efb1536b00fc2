-- The event triggers that record DDL on audited tables (audit.record_ddl). PostgreSQL lets only a
-- superuser create event triggers, so they are installed when the running role is one; otherwise
-- nothing is created and `pgtrail migrate` says so (src/audit/ddl-capture.ts). Safe to run again.
DO $install$
BEGIN
  IF NOT coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false) THEN
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger WHERE evtname = 'pgtrail_ddl_end') THEN
    CREATE EVENT TRIGGER pgtrail_ddl_end ON ddl_command_end WHEN TAG IN ('ALTER TABLE', 'ALTER TRIGGER')
      EXECUTE FUNCTION audit.record_ddl();
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger WHERE evtname = 'pgtrail_ddl_drop') THEN
    CREATE EVENT TRIGGER pgtrail_ddl_drop ON sql_drop WHEN TAG IN ('DROP TABLE', 'DROP TRIGGER')
      EXECUTE FUNCTION audit.record_ddl();
  END IF;
END
$install$;
