// pgtrail 0010: a provable trail — the public halves of the seal keys, the chain of signed seals,
// the canonical form and digest of an event, and a retention drop that records which events left
// by policy (audit.drop_expired v2). Signing happens outside the database (src/integrity).
// Released migrations are frozen: a later change to any object below ships as a new migration.
import type { MigrationBuilder } from 'node-pg-migrate';
import { frozenSql, readReleased } from '../src/db/sql-files.ts';

const readFrozen = frozenSql(import.meta.url);

const objects = [
  'tables/seal_keys.sql',
  'tables/seals.sql',
  'tables/expired_partitions.sql',
  'functions/event_digest.sql',
  'functions/drop_expired.sql',
  'triggers/seals_guard.sql',
  'grants_seals.sql',
];

export async function up(pgm: MigrationBuilder): Promise<void> {
  // Owned by the NOLOGIN owner role, like everything in schema audit.
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  for (const file of objects) pgm.sql(readFrozen(file));
  pgm.sql('RESET ROLE');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  pgm.sql('DROP FUNCTION audit.drop_expired(timestamptz)');
  pgm.sql(readReleased('0002_maintenance', 'functions/drop_expired.sql'));
  // As in 0002: only maintain calls it.
  pgm.sql('REVOKE EXECUTE ON FUNCTION audit.drop_expired(timestamptz) FROM PUBLIC');
  pgm.sql('DROP FUNCTION audit.event_digest(audit.events), audit.event_form(audit.events)');
  pgm.sql('DROP TABLE audit.seals, audit.expired_partitions, audit.seal_keys');
  pgm.sql('RESET ROLE');
}
