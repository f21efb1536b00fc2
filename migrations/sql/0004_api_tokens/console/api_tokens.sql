-- API tokens (Bearer `pgt_…`). The token is shown once, at creation; only its SHA-256 is stored.
-- A plain hash is enough because the token is 256 random bits, not a password: there is nothing to
-- guess or look up in a dictionary, so a slow hash (scrypt) would only cost CPU on every API
-- request, and the fast unsalted hash is what lets the lookup be one index probe.
-- Revoked tokens stay (revoked_at set) so the audit trail's actor ids keep pointing at a name;
-- a name is unique among live tokens only, so `siem-pull` can be re-created after a revoke.
CREATE TABLE console.api_tokens (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text        NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
  role         text        NOT NULL CHECK (role IN ('admin', 'auditor', 'viewer')),
  token_hash   bytea       NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text        NOT NULL DEFAULT session_user,
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE UNIQUE INDEX api_tokens_live_name_key ON console.api_tokens (name) WHERE revoked_at IS NULL;
