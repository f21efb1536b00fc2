// Tampering as a superuser who knows everything but the private key: the guards on the tables
// (their user triggers: append-only, no edits) are switched off around the forger's statements and
// on again, in one transaction, so a forgery that fails leaves the guards as they were.
import type { Queryable } from '../../src/db/queryable.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { parseQualifiedName, qualify } from '../../src/db/sql.ts';

/** Runs `work` with DISABLE TRIGGER USER on each of `tables` (e.g. 'audit.events'), then enables them. */
/** A pool lends one client for it; a client given must be outside a transaction. */
export async function tamper(db: Queryable, tables: string | string[], work: (client: Queryable) => Promise<unknown>): Promise<void> {
  const names = (Array.isArray(tables) ? tables : [tables]).map((t) => qualify(parseQualifiedName(t)));
  await inTransaction(db, async (client) => {
    for (const name of names) await client.query(`ALTER TABLE ${name} DISABLE TRIGGER USER`);
    await work(client);
    for (const name of names) await client.query(`ALTER TABLE ${name} ENABLE TRIGGER USER`);
  });
}
