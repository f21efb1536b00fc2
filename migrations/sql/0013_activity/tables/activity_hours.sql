-- audit.activity_hours and audit.activity_actor_hours: how many events each UTC hour held, per
-- (action, target_type, actor_type, verb) and per actor, so the console's activity panel (histogram and
-- top actors / actions / target types: src/query/activity.ts) sums a few thousand rows instead of
-- counting millions of events. Written only by audit.activity_rollup (maintenance, off the write
-- path); never by a trigger. Two narrow tables rather than one keyed by everything: at 10 M events
-- the joint key has ~0.46 rows per event (154,000 rows for a day of 333,000 events), the
-- narrow ones 5,600 and 7,400 a day (bench/README.md, "Activity panel").
-- A row holds the events rolled up so far: those whose transaction was committed in
-- audit.activity_state's snapshot. Readers add the rest live.
CREATE TABLE audit.activity_hours (
  hour        timestamptz NOT NULL,
  action      text        NOT NULL,
  target_type text        NOT NULL,
  actor_type  text        NOT NULL,
  verb        text,
  events      bigint      NOT NULL
);
CREATE UNIQUE INDEX activity_hours_key ON audit.activity_hours (hour, action, target_type, actor_type, verb) NULLS NOT DISTINCT;

CREATE TABLE audit.activity_actor_hours (
  hour        timestamptz NOT NULL,
  actor_type  text        NOT NULL,
  actor_id    text,
  actor_name  text,
  events      bigint      NOT NULL
);
-- One row per key (a NULL id or name is one key); hour first, for the window's range scan.
CREATE UNIQUE INDEX activity_actor_hours_key ON audit.activity_actor_hours (hour, actor_type, actor_id, actor_name) NULLS NOT DISTINCT;

-- audit.activity_state: the snapshot of the last rollup (as a seal keeps its own: src/integrity/scan.ts).
-- An event is in activity_hours exactly when its tx_id was committed in this snapshot; the rows of
-- partitions that retention dropped are taken out up to expired_upto (audit.expired_partitions.id).
CREATE TABLE audit.activity_state (
  singleton    boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  snap_xmin    bigint      NOT NULL,
  snap_xmax    bigint      NOT NULL,
  snap_xip     bigint[]    NOT NULL,
  expired_upto bigint      NOT NULL,
  rolled_at    timestamptz NOT NULL
);
