-- Records every enable / option change / disable (see audit.audited_tables_changed).
CREATE TRIGGER audited_tables_changed AFTER INSERT OR UPDATE OR DELETE ON audit.audited_tables
  FOR EACH ROW EXECUTE FUNCTION audit.audited_tables_changed();
