// pgtrail 0003: the console's own schema (users, sessions, sign-in throttling, settings) and the
// NOLOGIN role pgtrail_console that the console runs as: read the audit schema, write only its
// own tables, log sign-in events, run maintenance.
// Released migrations are frozen: a later change to any object below ships as a new migration.
import type { MigrationBuilder } from 'node-pg-migrate';
import { frozenSql } from '../src/db/sql-files.ts';

const readFrozen = frozenSql(import.meta.url);

const objects = [
  'console/users.sql',
  'console/sessions.sql',
  'console/sign_in_failures.sql',
  'console/settings.sql',
  'grants_console.sql',
];

export async function up(pgm: MigrationBuilder): Promise<void> {
  pgm.sql(readFrozen('roles/console_role.sql'));
  pgm.sql('CREATE SCHEMA console AUTHORIZATION pgtrail_owner');
  // Owned by the NOLOGIN owner role, like the audit schema: the console role gets DML only.
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  for (const file of objects) pgm.sql(readFrozen(file));
  pgm.sql('RESET ROLE');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.sql('DROP SCHEMA console CASCADE');
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  pgm.sql('REVOKE EXECUTE ON FUNCTION audit.maintain(timestamptz) FROM pgtrail_console');
  pgm.sql('RESET ROLE');
  // Roles are cluster-wide: keep it while another database still grants it something.
  pgm.sql(`DO $$ BEGIN
    DROP ROLE IF EXISTS pgtrail_console;
  EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END $$`);
}
