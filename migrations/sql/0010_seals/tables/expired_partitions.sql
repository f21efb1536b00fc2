-- audit.expired_partitions: one row per partition that maintenance dropped under the retention
-- policy (audit.drop_expired), with exactly which event ids left with it. The next seal signs the
-- rows added since the previous one, so `pgtrail verify` can tell "expired under the retention
-- policy on <date>" from "deleted"; a partition dropped any other way leaves no row here.
CREATE TABLE audit.expired_partitions (
  id         bigint         GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  partition  text           NOT NULL,
  range_from timestamptz    NOT NULL,
  range_to   timestamptz    NOT NULL,
  dropped_at timestamptz    NOT NULL,
  cutoff     timestamptz    NOT NULL,
  retention  text           NOT NULL,
  rows       bigint         NOT NULL,
  ids        int8multirange NOT NULL
);
