-- audit.search_text(actor_name, actor_id, target_id, target_type, action, target_label) → lower-cased text
-- v2 of the optional free-text index's expression (migration 0012): the five fields of v1
-- (0006, still installed beside it: an index built before 0012 uses it) and the
-- event's target_label, so that "Maya Okafor" finds the events of the contact labelled so, also
-- after the row was deleted. Same rules as v1: lower-cased, joined by U+001F, which is neither a
-- letter nor case-ignorable, so a term without it is found here exactly when some field contains
-- it (src/query/predicate.ts). IMMUTABLE (an index expression must be), bound once at creation.
CREATE FUNCTION audit.search_text(p_actor_name text, p_actor_id text, p_target_id text, p_target_type text, p_action text,
                                  p_target_label text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.lower(COALESCE(p_actor_name, '') || E'\x1f' || COALESCE(p_actor_id, '') || E'\x1f' ||
                        COALESCE(p_target_id, '') || E'\x1f' || COALESCE(p_target_type, '') || E'\x1f' ||
                        COALESCE(p_action, '') || E'\x1f' || COALESCE(p_target_label, ''));

GRANT EXECUTE ON FUNCTION audit.search_text(text, text, text, text, text, text) TO PUBLIC;
