// The demo's revert role (`npm start` on the embedded server only): so a first look can revert a
// row, without giving the console's own role any right on application tables. A NOLOGIN role that
// may read and write the demo schema and nothing else; the embedded superuser login switches to it
// for the revert pool (serve.ts), as the console's pool switches to pgtrail_console.
import type pg from 'pg';

export const DEMO_REVERT_ROLE = 'pgtrail_demo_revert';

/** Idempotent; run after the demo tables exist (grants cover every table in schema demo). */
export async function ensureDemoRevertRole(pool: pg.Pool): Promise<void> {
  await pool.query(`
    DO $role$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${DEMO_REVERT_ROLE}') THEN
        CREATE ROLE ${DEMO_REVERT_ROLE} NOLOGIN;
      END IF;
    END
    $role$;
    GRANT USAGE ON SCHEMA demo TO ${DEMO_REVERT_ROLE};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA demo TO ${DEMO_REVERT_ROLE};
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA demo TO ${DEMO_REVERT_ROLE};`);
}
