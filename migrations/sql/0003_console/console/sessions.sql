-- Console sessions. The cookie holds a random token; only its SHA-256 is stored, so a read of this
-- table does not yield usable sessions. Each session has its own CSRF token (synchronizer token,
-- sent back in a hidden field or the X-CSRF-Token header). Expiry is absolute (expires_at) and
-- idle (last_seen_at); sign-out and user removal delete the row.
CREATE TABLE console.sessions (
  token_hash   bytea       PRIMARY KEY,
  user_id      bigint      NOT NULL REFERENCES console.users (id) ON DELETE CASCADE,
  csrf_token   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  ip           inet,
  user_agent   text
);
CREATE INDEX sessions_user_idx ON console.sessions (user_id);
CREATE INDEX sessions_expires_idx ON console.sessions (expires_at);
