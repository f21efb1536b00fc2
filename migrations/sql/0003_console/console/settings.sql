-- Console settings, one row per key. 'server_secret' signs cursors (and survives restarts, so a
-- bookmarked "Older →" link or an API client's cursor keeps working after a deploy).
CREATE TABLE console.settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);
