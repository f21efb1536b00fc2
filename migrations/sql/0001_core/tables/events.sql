-- The audit log. Field names are the contract shared with the API, CSV header and console
-- (DESIGN.md, "The event record"). Fixed-width columns first to keep the heap tuple tight.
-- Range-partitioned on occurred_at; a default partition catches anything outside the premade
-- ranges so that an audited write never fails for want of a partition.
CREATE SEQUENCE audit.events_id_seq AS bigint;

CREATE TABLE audit.events (
  id             bigint      NOT NULL DEFAULT pg_catalog.nextval('audit.events_id_seq'),
  occurred_at    timestamptz NOT NULL DEFAULT pg_catalog.statement_timestamp(),
  tx_id          bigint      NOT NULL,
  action         text        NOT NULL,
  target_type    text        NOT NULL,
  target_id      text,
  actor_type     text        NOT NULL CHECK (actor_type IN ('user', 'api_token', 'system', 'db_role')),
  actor_id       text,
  actor_name     text,
  ip             inet,
  user_agent     text,
  request_id     text,
  db_user        text        NOT NULL,
  app_name       text,
  old_data       jsonb,
  new_data       jsonb,
  changed_fields text[],
  metadata       jsonb
) PARTITION BY RANGE (occurred_at);

ALTER SEQUENCE audit.events_id_seq OWNED BY audit.events.id;

CREATE TABLE audit.events_default PARTITION OF audit.events DEFAULT;

-- Indexes the console and record history need, chosen by their cost per audited row (see the
-- write-overhead benchmark): low-cardinality keys (actor, ip) rely on B-tree deduplication;
-- occurred_at and tx_id grow with time, so BRIN serves them almost for free; the four row-change
-- actions are too unselective to index, so only application events (auth.*, …) are.
CREATE INDEX events_id_idx          ON audit.events (id);
CREATE INDEX events_occurred_at_idx ON audit.events USING brin (occurred_at);
CREATE INDEX events_target_idx      ON audit.events (target_type, target_id);
CREATE INDEX events_actor_idx       ON audit.events (actor_id);
CREATE INDEX events_app_action_idx  ON audit.events (action)
  WHERE action NOT IN ('insert', 'update', 'delete', 'truncate');
CREATE INDEX events_tx_idx          ON audit.events USING brin (tx_id);
CREATE INDEX events_ip_idx          ON audit.events (ip);
