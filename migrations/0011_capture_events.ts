// pgtrail 0011: capture that went off is itself on the record — enable, option changes and disable
// become audit events (a trigger on the registry), and DDL on an audited table too, through event
// triggers that are installed only when a superuser runs the migration (`pgtrail migrate` installs
// them later when it can, and says when it cannot).
// Released migrations are frozen: a later change to any object below ships as a new migration.
import type { MigrationBuilder } from 'node-pg-migrate';
import { frozenSql } from '../src/db/sql-files.ts';

const readFrozen = frozenSql(import.meta.url);

const objects = [
  'functions/audited_tables_changed.sql',
  'triggers/audited_tables_changed.sql',
  'functions/record_ddl.sql',
];

export async function up(pgm: MigrationBuilder): Promise<void> {
  // Owned by the NOLOGIN owner role, like everything in schema audit.
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  for (const file of objects) pgm.sql(readFrozen(file));
  // As in 0001: only pgtrail's triggers call these.
  pgm.sql('REVOKE EXECUTE ON FUNCTION audit.audited_tables_changed(), audit.record_ddl() FROM PUBLIC');
  pgm.sql('RESET ROLE');
  // Event triggers are created by the role running the migration, and only a superuser may.
  pgm.sql(readFrozen('triggers/ddl_capture.sql'));
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.sql('DROP EVENT TRIGGER IF EXISTS pgtrail_ddl_end');
  pgm.sql('DROP EVENT TRIGGER IF EXISTS pgtrail_ddl_drop');
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  pgm.sql('DROP TRIGGER audited_tables_changed ON audit.audited_tables');
  pgm.sql('DROP FUNCTION audit.audited_tables_changed(), audit.record_ddl()');
  pgm.sql('RESET ROLE');
}
