-- Validates and records every change to audit.settings (see audit.settings_changed).
CREATE TRIGGER settings_changed BEFORE UPDATE ON audit.settings
  FOR EACH ROW EXECUTE FUNCTION audit.settings_changed();
