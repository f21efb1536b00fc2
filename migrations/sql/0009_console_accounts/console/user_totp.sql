-- A user's TOTP second factor (RFC 6238). The secret is sealed with AES-256-GCM under a key that is
-- not in the database (PGTRAIL_TOTP_KEY / its file), with the user id as additional data, so this
-- table alone cannot mint codes. confirmed_at is NULL while an enrolment waits for its first code
-- (it expires after a few minutes); last_used_step is the time step of the last accepted code, and
-- a code of that step or an earlier one is refused (no replay inside its window). recovery_salt
-- salts the scrypt hashes of the user's recovery codes.
CREATE TABLE console.user_totp (
  user_id        bigint      PRIMARY KEY REFERENCES console.users (id) ON DELETE CASCADE,
  secret_sealed  text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  confirmed_at   timestamptz,
  last_used_step bigint,
  recovery_salt  bytea       NOT NULL CHECK (octet_length(recovery_salt) = 16)
);
