-- Registry of audited tables: the options each was enabled with and the hash of the SQL that was
-- rendered for it, so `pgtrail status` can tell current / outdated / missing.
CREATE TABLE audit.audited_tables (
  schema_name      text        NOT NULL,
  table_name       text        NOT NULL,
  options          jsonb       NOT NULL,
  key_columns      text[]      NOT NULL,
  template_version integer     NOT NULL,
  sql_hash         text        NOT NULL,
  enabled_at       timestamptz NOT NULL DEFAULT now(),
  enabled_by       text        NOT NULL DEFAULT session_user,
  PRIMARY KEY (schema_name, table_name)
);
