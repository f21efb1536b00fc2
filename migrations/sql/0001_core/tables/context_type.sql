-- Who is acting and from where, for the current statement. Filled by audit.current_context().
CREATE TYPE audit.context AS (
  actor_type text,
  actor_id   text,
  actor_name text,
  ip         inet,
  user_agent text,
  request_id text,
  db_user    text,
  app_name   text,
  metadata   jsonb
);
