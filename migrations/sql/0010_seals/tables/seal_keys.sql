-- audit.seal_keys: the PUBLIC halves of the Ed25519 keys that sign seals (`pgtrail seal-key
-- create`). The private half never enters the database. A key is named by its fingerprint, the
-- SHA-256 of the raw 32-byte public key in hex; the check ties the two together, so a replaced
-- public key is also a new fingerprint, which `pgtrail verify --key <fingerprint>` catches.
CREATE TABLE audit.seal_keys (
  fingerprint text        PRIMARY KEY,
  public_key  bytea       NOT NULL UNIQUE CHECK (pg_catalog.octet_length(public_key) = 32),
  created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
  created_by  text        NOT NULL DEFAULT session_user,
  CHECK (fingerprint = pg_catalog.encode(pg_catalog.sha256(public_key), 'hex'))
);
