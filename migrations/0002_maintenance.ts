// pgtrail 0002: partition maintenance and retention — audit.maintain() and its steps, validated
// and recorded settings changes, and a premake that copes with a changed partition interval.
// Released migrations are frozen: a later change to any object below ships as a new migration.
import type { MigrationBuilder } from 'node-pg-migrate';
import { frozenSql, readReleased } from '../src/db/sql-files.ts';

const readFrozen = frozenSql(import.meta.url);

const objects = [
  'functions/partitions.sql',
  'functions/ensure_partition.sql',
  'functions/premake_partitions.sql',
  'functions/move_strays.sql',
  'functions/drop_expired.sql',
  'functions/maintain.sql',
  'functions/settings_changed.sql',
  'triggers/settings_changed.sql',
  'functions/set_retention.sql',
  'functions/set_partitioning.sql',
  'grants_maintenance.sql',
];

export async function up(pgm: MigrationBuilder): Promise<void> {
  // Everything in the schema is created by, and so owned by, the NOLOGIN owner role.
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  for (const file of objects) pgm.sql(readFrozen(file));
  pgm.sql('RESET ROLE');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  // A pg_cron job in this database would call a function that no longer exists. (A job kept in
  // another database, cron.database_name, is out of reach here: `pgtrail schedule --remove` first.)
  pgm.sql(`DO $$ BEGIN
    IF to_regclass('cron.job') IS NOT NULL THEN
      PERFORM cron.unschedule(jobid) FROM cron.job WHERE jobname = 'pgtrail-maintain' AND database = current_database();
    END IF;
  END $$`);
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  pgm.sql('DROP TRIGGER settings_changed ON audit.settings');
  pgm.sql(`DROP FUNCTION audit.maintain(timestamptz), audit.move_strays(), audit.drop_expired(timestamptz),
           audit.settings_changed(), audit.set_retention(interval), audit.set_partitioning(interval, integer),
           audit.premake_partitions(timestamptz), audit.ensure_partition(timestamptz), audit.partitions()`);
  // Back to 0001's premake (its default privileges keep EXECUTE from PUBLIC, as before).
  pgm.sql(readReleased('0001_core', 'functions/premake_partitions.sql'));
  pgm.sql('RESET ROLE');
}
