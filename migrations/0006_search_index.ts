// pgtrail 0006: an optional free-text index for the console's `q` filter. This migration builds no
// index: every GIN index costs each audited write, so a DBA chooses it with `pgtrail search-index
// enable` (src/maintenance/search-index.ts), which builds it partition by partition with CREATE
// INDEX CONCURRENTLY. What ships here is what that needs: the indexed expression and the
// functions that enable, disable and report it. See README, "Free-text search index".
// Released migrations are frozen: a later change to any object below ships as a new migration.
import type { MigrationBuilder } from 'node-pg-migrate';
import { frozenSql } from '../src/db/sql-files.ts';

const readFrozen = frozenSql(import.meta.url);

const objects = [
  'functions/search_text.sql',
  'functions/search_index_status.sql',
  'functions/enable_search_index.sql',
  'functions/disable_search_index.sql',
];

export async function up(pgm: MigrationBuilder): Promise<void> {
  // Everything in the schema is created by, and so owned by, the NOLOGIN owner role.
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  for (const file of objects) pgm.sql(readFrozen(file));
  pgm.sql('RESET ROLE');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  // The index depends on audit.search_text; drop it (if a DBA enabled it) before the function.
  pgm.sql('SELECT audit.disable_search_index()');
  pgm.sql(`DROP FUNCTION audit.disable_search_index(), audit.enable_search_index(), audit.search_index_status(),
           audit.search_text(text, text, text, text, text)`);
  pgm.sql('RESET ROLE');
}
