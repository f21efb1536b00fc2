// The seal chain as the API hands it out: every signed field of every seal plus its hash and
// signature, and the stored public keys, so an auditor's own tool can check the chain without
// pgtrail (the message format is in docs/integrity.md). Locators are left out (8 bytes an event);
// their hash is what the signature covers.
import type { Queryable } from '../db/queryable.ts';
import { sealFields } from './seal-message.ts';
import { readKeys, readSeals } from './store.ts';

export async function chainJson(db: Queryable): Promise<Record<string, unknown>> {
  const [seals, keys] = [await readSeals(db), await readKeys(db)];
  return {
    keys: keys.map((k) => ({ fingerprint: k.fingerprint, public_key: k.publicKey.toString('base64url'), created_at: k.createdAt.toISOString() })),
    seals: seals.map((s) => ({ ...sealFields(s), hash: s.hash.toString('hex'), signature: s.signature.toString('base64url') })),
  };
}

/** The signed manifest of an export made through the console or the API, as its file's text. */
export async function exportManifestText(db: Queryable, exportId: string): Promise<string | null> {
  const { rows } = await db.query(
    `SELECT metadata->>'manifest' AS m FROM audit.events
      WHERE action = 'audit.export_completed' AND target_type = 'export' AND target_id = $1 AND metadata ? 'manifest'
      ORDER BY id DESC LIMIT 1`, [exportId]);
  return rows[0]?.m ?? null;
}
