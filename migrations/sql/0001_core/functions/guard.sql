-- audit.guard()
-- Refuses UPDATE, DELETE and TRUNCATE on audit.events and every partition, even for the owner.
-- Whole expired partitions leave only through maintenance, which drops them (and logs the drop).
CREATE FUNCTION audit.guard() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'audit log is append-only: % on %.% is not allowed', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = '42501', HINT = 'expired partitions are removed by audit.maintain()';
END
$fn$;
