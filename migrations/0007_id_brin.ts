// pgtrail 0007: a BRIN index on audit.events(id), for exact, fast pages of windows that end in the
// past and reach far back ("to only" with monthly partitions; src/query/list.ts, splitPage).
// Released migrations are frozen: a later change to any object below ships as a new migration.
//
// On a partitioned table the index is created on every partition, and partitions made later
// (premade, or split off the default by maintenance) get it automatically. A BRIN build reads each
// partition once and is small (188 KB for 7.7 million events), but it holds a SHARE lock on each
// partition while it builds, which makes audited writes wait; on a large installation build it on
// each partition first with CREATE INDEX CONCURRENTLY (same definition), and this migration's
// CREATE INDEX attaches those instead of building new ones.
import type { MigrationBuilder } from 'node-pg-migrate';
import { frozenSql } from '../src/db/sql-files.ts';

const readFrozen = frozenSql(import.meta.url);

export async function up(pgm: MigrationBuilder): Promise<void> {
  // Owned by the NOLOGIN owner role, like everything in schema audit.
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  pgm.sql(readFrozen('tables/events_id_brin_idx.sql'));
  pgm.sql('RESET ROLE');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.sql('DROP INDEX audit.events_id_brin_idx');
}
