-- pgtrail's cluster-wide roles. Roles outlive databases, so creation is idempotent and every
-- database that installs pgtrail shares them.
--   pgtrail_owner  NOLOGIN: owns the audit schema and every object in it, so no login role ever
--                  owns audit rows. SECURITY DEFINER capture functions run as this role.
--   pgtrail_reader NOLOGIN: may read the audit schema (the console connects as a member of it).
DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'pgtrail_owner') THEN
    CREATE ROLE pgtrail_owner NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'pgtrail_reader') THEN
    CREATE ROLE pgtrail_reader NOLOGIN;
  END IF;
  -- The installing role must be able to act as pgtrail_owner (to hand objects over to it).
  IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
     AND NOT pg_catalog.pg_has_role(current_user, 'pgtrail_owner', 'MEMBER') THEN
    EXECUTE pg_catalog.format('GRANT pgtrail_owner TO %I', current_user);
  END IF;
END
$roles$;
