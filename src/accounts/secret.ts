// The console's server secret (signs keyset cursors), generated once and kept in console.settings
// so cursors in bookmarks and API clients survive restarts.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';

export async function loadServerSecret(db: pg.Pool | pg.ClientBase): Promise<string> {
  await db.query(`INSERT INTO console.settings (key, value) VALUES ('server_secret', $1) ON CONFLICT (key) DO NOTHING`,
    [randomBytes(32).toString('base64url')]);
  const { rows } = await db.query(`SELECT value FROM console.settings WHERE key = 'server_secret'`);
  return rows[0].value;
}
