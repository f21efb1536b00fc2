-- audit.search_text(actor_name, actor_id, target_id, target_type, action) → lower-cased text
-- What the optional free-text index (audit.events_search_idx, `pgtrail search-index enable`) holds
-- for an event: the five fields the console's `q` filter searches, lower-cased and joined by U+001F.
-- The separator is neither a letter nor case-ignorable, so lower() folds each field exactly as it
-- would alone, and a field's text always appears whole in the result: a term that some field
-- contains (ignoring case) is contained here too. When the index exists, a search tests
-- `audit.search_text(…) LIKE lower(pattern)` in place of the per-field ILIKE, which for a term
-- without U+001F finds exactly the same rows (src/query/predicate.ts says why; a term with it
-- keeps the ILIKE as well).
-- IMMUTABLE because an index expression must be; a SQL-standard body is bound once, at creation,
-- so no search_path can change what it calls; the planner inlines it on both sides.
CREATE FUNCTION audit.search_text(p_actor_name text, p_actor_id text, p_target_id text, p_target_type text, p_action text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.lower(COALESCE(p_actor_name, '') || E'\x1f' || COALESCE(p_actor_id, '') || E'\x1f' ||
                        COALESCE(p_target_id, '') || E'\x1f' || COALESCE(p_target_type, '') || E'\x1f' ||
                        COALESCE(p_action, ''));

-- A pure function of its arguments: whoever may read events (and the writers that maintain the
-- index) may call it.
GRANT EXECUTE ON FUNCTION audit.search_text(text, text, text, text, text) TO PUBLIC;
