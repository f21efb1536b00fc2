-- One-time recovery codes for the second factor: ten per enrolment, shown once, stored as scrypt
-- hashes (salt: user_totp.recovery_salt). A used code keeps its row (used_at set) so a second use
-- can be told apart from a wrong code; re-enrolling replaces them all.
CREATE TABLE console.recovery_codes (
  user_id   bigint      NOT NULL REFERENCES console.users (id) ON DELETE CASCADE,
  code_hash bytea       NOT NULL CHECK (octet_length(code_hash) = 32),
  used_at   timestamptz,
  PRIMARY KEY (user_id, code_hash)
);
