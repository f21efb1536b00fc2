-- The console's "actor" filter matches an actor id exactly or an actor name / email ignoring case
-- (src/query/predicate.ts: actor_id = $1 OR lower(actor_name) = lower($1)). Without an index on
-- the name side the OR cannot use events_actor_idx at all and the count scans every event (2.9 s
-- at 10 million events); with it the planner ORs the two index bitmaps. Actor names repeat, so
-- B-tree deduplication keeps it small. Measured in bench/query-latency.ts (latency) and
-- bench/write-overhead.ts (what it costs each audited write).
CREATE INDEX events_actor_name_idx ON audit.events (lower(actor_name));
