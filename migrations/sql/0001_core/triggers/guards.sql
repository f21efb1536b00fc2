-- The append-only guard on audit.events. The row-level trigger is cloned onto every partition;
-- statement-level TRUNCATE triggers are not, so audit.create_partition adds one to each partition.
CREATE TRIGGER guard_update_delete BEFORE UPDATE OR DELETE ON audit.events
  FOR EACH ROW EXECUTE FUNCTION audit.guard();
CREATE TRIGGER guard_truncate BEFORE TRUNCATE ON audit.events
  FOR EACH STATEMENT EXECUTE FUNCTION audit.guard();
CREATE TRIGGER guard_truncate BEFORE TRUNCATE ON audit.events_default
  FOR EACH STATEMENT EXECUTE FUNCTION audit.guard();
