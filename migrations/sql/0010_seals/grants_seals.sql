-- Who may do what with seals (migration 0010). Seals are signed outside the database, so who
-- writes a row matters less than that nobody can change one (the guard): the console role may
-- append seals (its fallback maintenance timer seals when the console has the key); readers see
-- the chain, the keys and the retention records, and may compute event digests to check them.
GRANT SELECT ON audit.seals, audit.seal_keys, audit.expired_partitions TO pgtrail_reader;
GRANT INSERT ON audit.seals TO pgtrail_console;
GRANT EXECUTE ON FUNCTION audit.event_form(audit.events), audit.event_digest(audit.events) TO pgtrail_reader;
