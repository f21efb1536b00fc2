-- Seals, seal keys and retention records are append-only like the events (audit.guard): nobody
-- updates or deletes them, the owner included. A superuser who disables the guard still cannot
-- forge a signature; verify reports what was changed.
CREATE TRIGGER guard_update_delete BEFORE UPDATE OR DELETE ON audit.seals
  FOR EACH ROW EXECUTE FUNCTION audit.guard();
CREATE TRIGGER guard_truncate BEFORE TRUNCATE ON audit.seals
  FOR EACH STATEMENT EXECUTE FUNCTION audit.guard();
CREATE TRIGGER guard_update_delete BEFORE UPDATE OR DELETE ON audit.seal_keys
  FOR EACH ROW EXECUTE FUNCTION audit.guard();
CREATE TRIGGER guard_truncate BEFORE TRUNCATE ON audit.seal_keys
  FOR EACH STATEMENT EXECUTE FUNCTION audit.guard();
CREATE TRIGGER guard_update_delete BEFORE UPDATE OR DELETE ON audit.expired_partitions
  FOR EACH ROW EXECUTE FUNCTION audit.guard();
CREATE TRIGGER guard_truncate BEFORE TRUNCATE ON audit.expired_partitions
  FOR EACH STATEMENT EXECUTE FUNCTION audit.guard();
