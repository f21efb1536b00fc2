-- Who may run maintenance and change settings (migration 0002). Nobody but the owner role (and
-- superusers): the default privileges of 0001 already keep EXECUTE from PUBLIC; this says it
-- explicitly. A DBA or the console's role can be granted audit.maintain or audit.set_retention
-- one by one: maintain never drops ahead of the real clock, and settings changes are recorded.
-- The internal steps (move_strays, drop_expired, ensure_partition) are for maintain alone.
REVOKE EXECUTE ON FUNCTION audit.maintain(timestamptz), audit.move_strays(), audit.drop_expired(timestamptz),
                           audit.ensure_partition(timestamptz), audit.settings_changed(),
                           audit.set_retention(interval), audit.set_partitioning(interval, integer),
                           audit.partitions()
  FROM PUBLIC;
-- Reading the partition layout is harmless and the console shows it.
GRANT EXECUTE ON FUNCTION audit.partitions() TO pgtrail_reader;
