// pgtrail 0008: the "actor" filter matches the start of a name or email (`aisha` finds
// aisha@example.com), ignoring case, through an index: lower(actor_name) with text_pattern_ops
// replaces 0005's index on lower(actor_name), which could serve equality only.
// Released migrations are frozen: a later change to any object below ships as a new migration.
//
// On a partitioned table the index is created on every partition, and partitions made later
// (premade, or split off the default by maintenance) get it automatically. The build holds a SHARE
// lock on each partition, which makes audited writes wait; on a large installation build it on
// each partition first with CREATE INDEX CONCURRENTLY (same definition), and this migration's
// CREATE INDEX attaches those instead of building new ones.
import type { MigrationBuilder } from 'node-pg-migrate';
import { frozenSql, readReleased } from '../src/db/sql-files.ts';

const readFrozen = frozenSql(import.meta.url);

export async function up(pgm: MigrationBuilder): Promise<void> {
  // Owned by the NOLOGIN owner role, like everything in schema audit.
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  pgm.sql(readFrozen('tables/events_actor_name_prefix_idx.sql'));
  pgm.sql('DROP INDEX audit.events_actor_name_idx');
  pgm.sql('RESET ROLE');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  pgm.sql(readReleased('0005_query_indexes', 'tables/events_actor_name_idx.sql'));
  pgm.sql('DROP INDEX audit.events_actor_name_prefix_idx');
  pgm.sql('RESET ROLE');
}
