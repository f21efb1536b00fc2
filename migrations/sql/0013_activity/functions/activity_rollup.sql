-- audit.activity_rollup() → how many rows of audit.activity_hours this run added or updated.
-- Called by audit.maintain (v2, migration 0013) after retention; never on the write path.
--
-- Which events a run adds is decided by transaction, not by id or time, because an event can
-- commit long after its hour (a long transaction's rows carry its statement times): a run takes a
-- snapshot S and adds every event whose tx_id is committed in S and was not committed in the
-- previous run's snapshot P — the rule seals use (src/integrity/scan.ts). So every committed
-- event is counted exactly once, whenever it commits, and a reader that adds the events NOT
-- committed in S (the live tail) counts every visible event exactly once as well.
-- The snapshot is taken in its own statement before the INSERT reads: the INSERT's snapshot is
-- later, so it sees every row of a transaction committed in S; one committed in between is left
-- for the next run (not committed in S).
--
-- Retention: the hours of partitions dropped since the last run (audit.expired_partitions) are
-- deleted first. A partition holds every event of its range while it exists, so those rows counted
-- exactly the events that left; events that land in such a range later (default partition) are
-- added by later runs.
-- Holds the maintenance lock, so it never runs beside a retention drop or another rollup.
CREATE FUNCTION audit.activity_rollup() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET timezone = 'UTC' AS $fn$
DECLARE
  v_prev    audit.activity_state;
  v_first   boolean;
  v_snap    pg_snapshot;
  v_xmin    bigint;
  v_xmax    bigint;
  v_xip     bigint[];
  v_expired bigint;
  v_added   bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(1885828210, 1);  -- the maintenance lock (src/maintenance/lock.ts)
  SELECT * INTO v_prev FROM audit.activity_state;
  v_first := NOT FOUND;

  SELECT coalesce(max(x.id), 0) INTO v_expired FROM audit.expired_partitions AS x;
  DELETE FROM audit.activity_hours AS h
   USING audit.expired_partitions AS x
   WHERE x.id > coalesce(v_prev.expired_upto, 0) AND x.id <= v_expired
     AND h.hour >= x.range_from AND h.hour < x.range_to;
  DELETE FROM audit.activity_actor_hours AS h
   USING audit.expired_partitions AS x
   WHERE x.id > coalesce(v_prev.expired_upto, 0) AND x.id <= v_expired
     AND h.hour >= x.range_from AND h.hour < x.range_to;

  v_snap := pg_current_snapshot();
  v_xmin := pg_snapshot_xmin(v_snap)::text::bigint;
  v_xmax := pg_snapshot_xmax(v_snap)::text::bigint;
  v_xip  := ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(v_snap) AS x);

  -- The same events into both tables: the same test, against the same snapshots.
  INSERT INTO audit.activity_hours AS h (hour, action, target_type, actor_type, verb, events)
  SELECT date_trunc('hour', e.occurred_at, 'UTC'), e.action, e.target_type, e.actor_type, e.verb, count(*)
    FROM audit.events AS e
   WHERE (e.tx_id < v_xmin OR (e.tx_id < v_xmax AND e.tx_id <> ALL (v_xip)))
     AND (v_first OR (e.tx_id >= v_prev.snap_xmin AND (e.tx_id >= v_prev.snap_xmax OR e.tx_id = ANY (v_prev.snap_xip))))
   GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT (hour, action, target_type, actor_type, verb) DO UPDATE SET events = h.events + excluded.events;
  GET DIAGNOSTICS v_added = ROW_COUNT;

  INSERT INTO audit.activity_actor_hours AS h (hour, actor_type, actor_id, actor_name, events)
  SELECT date_trunc('hour', e.occurred_at, 'UTC'), e.actor_type, e.actor_id, e.actor_name, count(*)
    FROM audit.events AS e
   WHERE (e.tx_id < v_xmin OR (e.tx_id < v_xmax AND e.tx_id <> ALL (v_xip)))
     AND (v_first OR (e.tx_id >= v_prev.snap_xmin AND (e.tx_id >= v_prev.snap_xmax OR e.tx_id = ANY (v_prev.snap_xip))))
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (hour, actor_type, actor_id, actor_name) DO UPDATE SET events = h.events + excluded.events;

  INSERT INTO audit.activity_state AS s (singleton, snap_xmin, snap_xmax, snap_xip, expired_upto, rolled_at)
  VALUES (true, v_xmin, v_xmax, v_xip, v_expired, statement_timestamp())
  ON CONFLICT (singleton) DO UPDATE
    SET snap_xmin = excluded.snap_xmin, snap_xmax = excluded.snap_xmax, snap_xip = excluded.snap_xip,
        expired_upto = excluded.expired_upto, rolled_at = excluded.rolled_at;
  RETURN v_added;
END
$fn$;
