// pgtrail 0001: the audit schema, its roles, the append-only guard and the first partitions.
// Released migrations are frozen: a later change to any object below ships as a new migration
// (CREATE OR REPLACE / ALTER) and this file is not edited.
import type { MigrationBuilder } from 'node-pg-migrate';
import { frozenSql } from '../src/db/sql-files.ts';

const readFrozen = frozenSql(import.meta.url);

const objects = [
  'tables/settings.sql',
  'tables/events.sql',
  'tables/audited_tables.sql',
  'tables/context_type.sql',
  'functions/partition_start.sql',
  'functions/create_partition.sql',
  'functions/premake_partitions.sql',
  'functions/set_context.sql',
  'functions/current_context.sql',
  'functions/log_event.sql',
  'functions/guard.sql',
  'triggers/guards.sql',
  'grants.sql',
];

export async function up(pgm: MigrationBuilder): Promise<void> {
  pgm.sql(readFrozen('roles/roles.sql'));
  pgm.sql('CREATE SCHEMA audit AUTHORIZATION pgtrail_owner');
  // Everything in the schema is created by, and so owned by, the NOLOGIN owner role.
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  for (const file of objects) pgm.sql(readFrozen(file));
  pgm.sql('SELECT audit.premake_partitions()');
  pgm.sql('RESET ROLE');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  // CASCADE also removes the capture triggers that depend on the generated functions.
  pgm.sql('DROP SCHEMA audit CASCADE');
  // Roles are cluster-wide: keep them while another database still uses them.
  pgm.sql(`DO $$ BEGIN
    DROP ROLE IF EXISTS pgtrail_reader;
    DROP ROLE IF EXISTS pgtrail_owner;
  EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END $$`);
}
