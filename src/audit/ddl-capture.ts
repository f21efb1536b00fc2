// The event triggers that record DDL on audited tables (sql/triggers/ddl_capture.sql). Only a
// superuser may create them, so `pgtrail migrate` installs them when it runs as one and otherwise
// says that DDL will not be recorded.
import { readSql } from '../db/sql-files.ts';
import type { Queryable } from '../db/queryable.ts';

export const DDL_EVENT_TRIGGERS = ['pgtrail_ddl_end', 'pgtrail_ddl_drop'];

export interface DdlCapture {
  /**
   * present: both event triggers exist and fire; installed: created by this run; disabled: one was
   * switched off (ALTER EVENT TRIGGER … DISABLE); not_superuser: this role cannot create them.
   */
  state: 'present' | 'installed' | 'disabled' | 'not_superuser';
  role: string;
}

/** How many of the event triggers exist, and how many of those are switched off. */
export async function ddlCaptureCounts(db: Queryable): Promise<{ found: number; disabled: number }> {
  const { rows } = await db.query(
    `SELECT count(*)::int AS found, count(*) FILTER (WHERE evtenabled = 'D')::int AS disabled
       FROM pg_catalog.pg_event_trigger WHERE evtname = ANY ($1::text[])`,
    [DDL_EVENT_TRIGGERS],
  );
  return rows[0];
}

/**
 * Installs the event triggers when they are missing and this role can; says what it found.
 * `before`: the counts taken before migrating, so that the ones migration 0011 created count as installed.
 */
export async function ensureDdlCapture(db: Queryable, before?: { found: number }): Promise<DdlCapture> {
  const { rows } = await db.query(`SELECT current_user AS role, coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false) AS superuser`);
  const { role, superuser } = rows[0];
  let now = await ddlCaptureCounts(db);
  if (now.found < DDL_EVENT_TRIGGERS.length && superuser) {
    await db.query(readSql('triggers/ddl_capture.sql'));
    now = await ddlCaptureCounts(db);
  }
  if (now.found < DDL_EVENT_TRIGGERS.length) return { state: 'not_superuser', role };
  if (now.disabled > 0) return { state: 'disabled', role };
  return { state: (before ?? now).found < DDL_EVENT_TRIGGERS.length ? 'installed' : 'present', role };
}

/** The line `pgtrail migrate` prints about it, or null when there is nothing to say. */
export function ddlCaptureText(result: DdlCapture): string | null {
  if (result.state === 'installed') return 'installed event triggers pgtrail_ddl_end and pgtrail_ddl_drop: DDL on audited tables is recorded as audit.ddl events';
  if (result.state === 'not_superuser') {
    return `could not install the event triggers that record DDL on audited tables: role ${result.role} is not a superuser; `
      + 'ALTER / DROP on audited tables will not be recorded until `pgtrail migrate` runs as a superuser';
  }
  if (result.state === 'disabled') {
    return 'an event trigger that records DDL on audited tables is disabled (ALTER EVENT TRIGGER … DISABLE): '
      + 'ALTER / DROP on audited tables is not being recorded; enable it again with ALTER EVENT TRIGGER pgtrail_ddl_end ENABLE (and pgtrail_ddl_drop)';
  }
  return null;
}
