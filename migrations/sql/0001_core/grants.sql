-- Who may do what in the audit schema. Application roles may declare context and log
-- application events; they can never write, change or drop audit rows themselves.
REVOKE ALL ON SCHEMA audit FROM PUBLIC;
GRANT USAGE ON SCHEMA audit TO PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA audit FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA audit FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA audit FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.set_context(jsonb), audit.current_context(),
                          audit.log_event(text, text, text, jsonb) TO PUBLIC;

-- Objects made later by pgtrail_owner (partitions, capture functions) inherit the same rules.
ALTER DEFAULT PRIVILEGES FOR ROLE pgtrail_owner IN SCHEMA audit REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE pgtrail_owner IN SCHEMA audit GRANT SELECT ON TABLES TO pgtrail_reader;

GRANT USAGE ON SCHEMA audit TO pgtrail_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA audit TO pgtrail_reader;
