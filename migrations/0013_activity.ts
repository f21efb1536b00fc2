// pgtrail 0013: activity over time — hourly counts per (action, target type, actor) for the
// console's activity panel, rolled up by maintenance off the write path (audit.maintain v2 calls
// audit.activity_rollup). Nothing is backfilled here: the first maintenance run rolls up the
// events already recorded, and until then the panel counts live, capped (src/query/activity.ts).
// Released migrations are frozen: a later change to any object below ships as a new migration.
import type { MigrationBuilder } from 'node-pg-migrate';
import { frozenSql, readReleased } from '../src/db/sql-files.ts';

const readFrozen = frozenSql(import.meta.url);

export async function up(pgm: MigrationBuilder): Promise<void> {
  // Owned by the NOLOGIN owner role, like everything in schema audit; pgtrail_reader may SELECT
  // both tables through the schema's default privileges (0001).
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  pgm.sql(readFrozen('tables/activity_hours.sql'));
  pgm.sql(readFrozen('functions/activity_rollup.sql'));
  // Only maintenance calls it (as drop_expired, 0002).
  pgm.sql('REVOKE EXECUTE ON FUNCTION audit.activity_rollup() FROM PUBLIC');
  pgm.sql(readFrozen('functions/maintain.sql'));
  pgm.sql('RESET ROLE');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  // v1 as 0002 installed it; replaced in place, so its grants stay.
  pgm.sql(readReleased('0002_maintenance', 'functions/maintain.sql').replace('CREATE FUNCTION audit.maintain', 'CREATE OR REPLACE FUNCTION audit.maintain'));
  pgm.sql('DROP FUNCTION audit.activity_rollup()');
  pgm.sql('DROP TABLE audit.activity_hours, audit.activity_actor_hours, audit.activity_state');
  pgm.sql('RESET ROLE');
}
