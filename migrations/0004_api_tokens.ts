// pgtrail 0004: API tokens for the JSON API and exports (console.api_tokens), stored hashed.
// Released migrations are frozen: a later change to any object below ships as a new migration.
import type { MigrationBuilder } from 'node-pg-migrate';
import { frozenSql } from '../src/db/sql-files.ts';

const readFrozen = frozenSql(import.meta.url);

export async function up(pgm: MigrationBuilder): Promise<void> {
  // Owned by the NOLOGIN owner role, like everything in schema console (0003).
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  pgm.sql(readFrozen('console/api_tokens.sql'));
  pgm.sql(readFrozen('grants_api_tokens.sql'));
  pgm.sql('RESET ROLE');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.sql('DROP TABLE console.api_tokens');
}
