-- The console's "actor" filter matches an actor id exactly, or the start of an actor name / email
-- ignoring case (src/query/predicate.ts: actor_id = $1 OR lower(actor_name) LIKE lower($2), $2 the
-- typed text with LIKE's wildcards escaped, then '%'). A B-tree serves LIKE 'prefix%' only if its
-- order is byte order: text_pattern_ops gives that in any database collation (the default operator
-- class does only under "C"). It also serves equality, so it replaces events_actor_name_idx
-- (migration 0005, on the same expression), and audited writes keep paying for one name index.
-- With it the planner ORs this index's bitmap with events_actor_idx's instead of scanning.
CREATE INDEX events_actor_name_prefix_idx ON audit.events (lower(actor_name) text_pattern_ops);
