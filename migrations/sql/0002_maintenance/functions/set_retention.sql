-- audit.set_retention(p_retention interval) → the settings row after the change
-- How long events are kept: NULL is forever (the default). Validated and recorded as an
-- audit.retention_changed event by the settings trigger; takes effect at the next maintenance run.
-- SECURITY DEFINER so that a DBA role can be granted just this (EXECUTE is not granted to PUBLIC).
CREATE FUNCTION audit.set_retention(p_retention interval) RETURNS audit.settings
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
  UPDATE audit.settings SET retention = p_retention RETURNING *
$fn$;
