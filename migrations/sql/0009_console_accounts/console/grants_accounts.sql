-- What the console role may do with the accounts objects of migration 0009: its own new tables,
-- and API tokens, which admins now create and revoke in the console (before, only the DBA could,
-- with `pgtrail token …`). It still cannot change a token's name, role or hash after creation.
GRANT SELECT, INSERT, UPDATE, DELETE ON console.user_totp, console.recovery_codes, console.role_policies TO pgtrail_console;
GRANT INSERT (name, role, token_hash, created_by), UPDATE (revoked_at) ON console.api_tokens TO pgtrail_console;
-- sessions.id is a new identity column: inserting needs its sequence.
GRANT USAGE ON ALL SEQUENCES IN SCHEMA console TO pgtrail_console;
