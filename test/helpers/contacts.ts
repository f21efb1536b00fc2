// The contacts table that the frozen enable scripts in test/fixtures/contacts.v<N>.sql were rendered
// for (test/render.test.ts pins the current one), in a database of its own: what an upgrade test
// starts from, a table audited by an older template.
import { readFileSync } from 'node:fs';
import { createTestDatabase, type TestDatabase } from './database.ts';

export const CONTACTS = { schema: 'public', table: 'contacts' };

/** The enable script exactly as template v`version` rendered it for the contacts table. */
export function frozenEnableSql(version: number): string {
  return readFileSync(new URL(`../fixtures/contacts.v${version}.sql`, import.meta.url), 'utf8');
}

/** A fresh database holding the contacts table, not audited yet. */
export async function contactsDatabase(label: string): Promise<TestDatabase> {
  const db = await createTestDatabase(label);
  await db.pool.query(`CREATE TABLE contacts (id int PRIMARY KEY, email text, password_hash text, api_secret text,
                         profile json, avatar bytea, updated_at timestamptz)`);
  return db;
}
