// pgtrail 0009: the console's own accounts — password change and reset, TOTP two-factor sign-in
// with recovery codes, a per-role 2FA requirement, sessions that can be listed and ended, users
// that can be disabled, and API tokens that admins create and revoke in the console.
// Released migrations are frozen: a later change to any object below ships as a new migration.
import type { MigrationBuilder } from 'node-pg-migrate';
import { frozenSql } from '../src/db/sql-files.ts';

const readFrozen = frozenSql(import.meta.url);

const objects = [
  'console/users_accounts.sql',
  'console/sessions_accounts.sql',
  'console/user_totp.sql',
  'console/recovery_codes.sql',
  'console/role_policies.sql',
  'console/grants_accounts.sql',
];

// The sign-in log's event names include auth.2fa_enrol, auth.2fa_remove and auth.2fa_failed, whose
// last part starts with a digit; audit.log_event's name check (0001) wanted a letter there. Only
// that check changes: the installed definition is taken from the catalog and the one pattern
// replaced, so the rest of the function stays exactly as installed. Raises if the pattern is not
// found, rather than leaving the old check in place silently.
const LETTER_SEGMENT = String.raw`(\.[a-z][a-z0-9_]*)+$`;
const DIGIT_SEGMENT = String.raw`(\.[a-z0-9][a-z0-9_]*)+$`;

function replaceActionCheck(from: string, to: string): string {
  return `DO $migrate$
DECLARE
  v_def text := pg_catalog.pg_get_functiondef('audit.log_event(text, text, text, jsonb)'::regprocedure);
BEGIN
  IF pg_catalog.strpos(v_def, ${literal(from)}) = 0 THEN
    RAISE EXCEPTION 'audit.log_event: its action check is not the expected one; cannot amend it';
  END IF;
  EXECUTE pg_catalog.replace(v_def, ${literal(from)}, ${literal(to)});
END
$migrate$`;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export async function up(pgm: MigrationBuilder): Promise<void> {
  // Owned by the NOLOGIN owner role, like everything in schemas console and audit.
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  for (const file of objects) pgm.sql(readFrozen(file));
  pgm.sql(replaceActionCheck(LETTER_SEGMENT, DIGIT_SEGMENT));
  pgm.sql('RESET ROLE');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  pgm.sql(replaceActionCheck(DIGIT_SEGMENT, LETTER_SEGMENT));
  pgm.sql('REVOKE INSERT (name, role, token_hash, created_by), UPDATE (revoked_at) ON console.api_tokens FROM pgtrail_console');
  pgm.sql('DROP TABLE console.role_policies, console.recovery_codes, console.user_totp');
  pgm.sql('ALTER TABLE console.sessions DROP COLUMN factors, DROP COLUMN id');
  pgm.sql('ALTER TABLE console.users DROP COLUMN disabled_at, DROP COLUMN password_changed_at, DROP COLUMN must_change_password');
  pgm.sql('RESET ROLE');
}
