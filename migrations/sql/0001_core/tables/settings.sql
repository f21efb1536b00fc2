-- One row of installation-wide settings, readable in one place.
--   partition_interval: width of each audit.events partition (a day, a week or a month).
--   premake:            how many future partitions exist ahead of now, so writes never wait on DDL.
--   retention:          how long events are kept; NULL means forever (the default).
CREATE TABLE audit.settings (
  singleton          boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  partition_interval interval    NOT NULL DEFAULT interval '1 month'
                     CHECK (partition_interval IN (interval '1 day', interval '1 week', interval '1 month')),
  premake            integer     NOT NULL DEFAULT 3 CHECK (premake BETWEEN 1 AND 366),
  retention          interval    CHECK (retention IS NULL OR retention > interval '0'),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
INSERT INTO audit.settings DEFAULT VALUES;
