-- Console sessions, what migration 0009 adds: a number to name a session by when listing and
-- ending it (the token's hash is never shown), and the factors it was signed in with.
ALTER TABLE console.sessions
  ADD COLUMN id      bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  ADD COLUMN factors text[] NOT NULL DEFAULT '{password}'
    CHECK (factors <@ ARRAY['password', 'totp', 'recovery_code']);
