// The demo the main command shows: a small CRM schema with auditing on, and a few changes made
// by different actors, as an application would make them.
import type pg from 'pg';
import { enableAudit } from '../audit/enable.ts';
import { withAuditContext } from '../audit/context.ts';
import { inTransaction } from '../db/transaction.ts';
import { parseVerbRule } from '../generator/verbs.ts';

const schemaSql = `
CREATE SCHEMA IF NOT EXISTS demo;
CREATE TABLE IF NOT EXISTS demo.contacts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email         text NOT NULL,
  name          text,
  password_hash text,
  api_secret    text,
  tags          text[] NOT NULL DEFAULT '{}',
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS demo.campaigns (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title   text NOT NULL,
  status  text NOT NULL DEFAULT 'draft',
  sent_at timestamptz
);
-- Not audited: remembers that the live changes were made, so a second start does not repeat them.
CREATE TABLE IF NOT EXISTS demo.live_changes_made (made_at timestamptz NOT NULL DEFAULT now());`;

/**
 * How the demo names its rows and updates (labels, type names, entities, verbs): what a DBA would declare with --label,
 * --type-name, --entity and --verb. demo/history.ts writes its past events with the same names.
 */
const DEMO_CONTACTS = {
  exclude: ['password_hash'], redact: ['api_secret'], ignore: ['updated_at'],
  label: `'Contact: ' || coalesce(name, email)`, typeName: 'Contact', entity: 'contact',
  verbs: [parseVerbRule('rename:name'), parseVerbRule('tag:tags')],
};
const DEMO_CAMPAIGNS = {
  label: `'Broadcast: ' || title`, typeName: 'Broadcast', entity: 'campaign',
  verbs: [parseVerbRule('send:status=sent'), parseVerbRule('schedule:status=scheduled'), parseVerbRule('pause:status=paused'), parseVerbRule('resend:sent_at')],
};

/** Creates the demo tables and turns auditing on (idempotent; a demo enabled before labels takes them). */
export async function installDemo(pool: pg.Pool): Promise<void> {
  await pool.query(schemaSql);
  await enableAudit(pool, { schema: 'demo', table: 'contacts' }, DEMO_CONTACTS, true);
  await enableAudit(pool, { schema: 'demo', table: 'campaigns' }, DEMO_CAMPAIGNS, true);
}

/**
 * Makes a handful of changes as a user, an API token, a system job and a bare database role, once
 * per database: returns false (and changes nothing) when they were made before.
 */
export async function makeDemoChanges(pool: pg.Pool): Promise<boolean> {
  const { rows: made } = await pool.query('SELECT 1 FROM demo.live_changes_made LIMIT 1');
  if (made.length) return false;
  const aisha = { actorType: 'user', actorId: '42', actorName: 'aisha@example.com', ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (demo)', requestId: 'req-1001' } as const;
  const contactId = await withAuditContext(pool, aisha, async (client) => {
    const { rows } = await client.query(
      `INSERT INTO demo.contacts (email, name, password_hash, api_secret) VALUES ($1, $2, $3, $4) RETURNING id`,
      ['lee@example.com', 'Lee', 'scrypt$…', 'sk_live_123'],
    );
    await client.query(`SELECT audit.log_event('auth.sign_in', 'user', '42', '{"method":"password"}')`);
    return rows[0].id as string;
  });

  await withAuditContext(pool, { actorType: 'api_token', actorId: 'tok_7', actorName: 'nightly-sync', ip: '198.51.100.4', userAgent: 'curl/8.5' },
    (client) => client.query(`UPDATE demo.contacts SET name = 'Lee Park', tags = '{vip}', updated_at = now() WHERE id = $1`, [contactId]));

  await withAuditContext(pool, { actorType: 'system', actorId: 'scheduler', actorName: 'campaign-sender' }, async (client) => {
    const { rows } = await client.query(`INSERT INTO demo.campaigns (title) VALUES ('Spring sale') RETURNING id`);
    await client.query(`UPDATE demo.campaigns SET status = 'sent', sent_at = now() WHERE id = $1`, [rows[0].id]);
    // The application's own event about the campaign: the same entity type and label, so the
    // console shows it in the campaign's history beside its row changes.
    await client.query(`SELECT audit.log_event('broadcast.send', 'campaign', $1, '{"recipients": 1}', 'Broadcast: Spring sale')`, [String(rows[0].id)]);
  });

  // A DBA in psql, without application context: attributed to the database role (and, as psql
  // would set it, application_name psql; SET LOCAL so the pooled connection keeps its own).
  const dba = await pool.connect();
  try {
    await inTransaction(dba, async () => {
      await dba.query(`SET LOCAL application_name = 'psql'`);
      await dba.query(`DELETE FROM demo.contacts WHERE id = $1`, [contactId]);
    });
  } finally {
    dba.release();
  }
  await pool.query('INSERT INTO demo.live_changes_made DEFAULT VALUES');
  return true;
}
