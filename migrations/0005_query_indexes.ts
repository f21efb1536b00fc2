// pgtrail 0005: indexes the console's filters need at 10 million events (bench/query-latency.ts),
// each weighed against what it costs every audited write (bench/write-overhead.ts).
// Released migrations are frozen: a later change to any object below ships as a new migration.
//
// On a large existing installation, CREATE INDEX on the partitioned audit.events holds a SHARE lock
// on each partition while it builds, which makes audited writes wait. To avoid that, build the index
// on each partition first with CREATE INDEX CONCURRENTLY (same definition); this migration's
// CREATE INDEX then attaches those instead of building new ones.
import type { MigrationBuilder } from 'node-pg-migrate';
import { frozenSql } from '../src/db/sql-files.ts';

const readFrozen = frozenSql(import.meta.url);

export async function up(pgm: MigrationBuilder): Promise<void> {
  // Owned by the NOLOGIN owner role, like everything in schema audit.
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  pgm.sql(readFrozen('tables/events_actor_name_idx.sql'));
  pgm.sql('RESET ROLE');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.sql('DROP INDEX audit.events_actor_name_idx');
}
