// The advisory lock that serialises maintenance, shared by every SQL function that creates or drops
// partitions or changes settings (pg_advisory_xact_lock) and by the fallback timer
// (pg_try_advisory_lock). Two int4 keys: 'pgtr' as an integer, and 1. Advisory locks are per
// database, so two audited databases on one server never wait for each other.
export const MAINTENANCE_LOCK = { classId: 1885828210, objId: 1 } as const;
