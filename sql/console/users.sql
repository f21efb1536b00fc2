-- Console users. Passwords are scrypt hashes (node:crypto) in the self-describing form
-- scrypt$N$r$p$salt$hash (base64url), so parameters can be raised later without a migration.
-- Emails are unique ignoring case; the role decides abilities (src/accounts/roles.ts).
CREATE TABLE console.users (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email           text        NOT NULL CHECK (octet_length(email) BETWEEN 3 AND 320),
  role            text        NOT NULL CHECK (role IN ('admin', 'auditor', 'viewer')),
  password_hash   text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_sign_in_at timestamptz
);
CREATE UNIQUE INDEX users_email_key ON console.users (lower(email));
