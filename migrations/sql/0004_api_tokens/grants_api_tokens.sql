-- What the console role may do with API tokens (migration 0004): look them up and record their
-- use. Creating and revoking tokens is for the DBA (`pgtrail token …`), not for a web request.
GRANT SELECT, UPDATE (last_used_at) ON console.api_tokens TO pgtrail_console;
