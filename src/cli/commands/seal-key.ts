import { writeFileSync, unlinkSync } from 'node:fs';
import { requireInstalled } from '../../audit/installed.ts';
import { UserError } from '../../db/errors.ts';
import { generateSealKey, privateEnvValue, privatePem } from '../../integrity/keys.ts';
import { readKeys, registerKey, requireSeals } from '../../integrity/store.ts';
import type { Command } from '../command.ts';
import { withDatabase } from '../database.ts';

export const sealKeyCommand: Command = {
  name: 'seal-key',
  summary: 'make an Ed25519 seal key (public half stored in the database) or list the stored keys',
  usage: 'seal-key create [--out FILE] | seal-key list [--json]',
  details: [
    'create makes a key pair with node:crypto and stores only the PUBLIC half in audit.seal_keys. The',
    'private half never enters the database: with --out it is written to FILE (PEM, mode 600, never',
    'overwritten) for PGTRAIL_SEAL_KEY_FILE; without, it is printed once as PGTRAIL_SEAL_KEY=… for the',
    'environment of the process that seals. The fingerprint (SHA-256 of the raw public key, hex) is',
    'what auditors pass to `pgtrail verify --key`; keep a copy of it outside the database.',
  ].join('\n'),
  options: {
    out: { type: 'string', value: 'FILE', description: 'create: write the private key to FILE (mode 600) instead of printing it' },
    json: { type: 'boolean', description: 'list: print JSON' },
  },
  async run({ config, positionals, values, stdout }) {
    const [action, ...extra] = positionals;
    if (action !== 'create' && action !== 'list') throw new UserError(`seal-key: say create or list${action ? ` (got "${action}")` : ''}`, { hint: 'pgtrail seal-key --help' });
    if (extra.length) throw new UserError(`seal-key ${action}: unexpected argument "${extra.join(' ')}"`);
    if (action === 'list') {
      if (values.out !== undefined) throw new UserError('seal-key list: --out is for create');
      const keys = await withDatabase(config, async (client) => {
        await requireInstalled(client);
        await requireSeals(client);
        return readKeys(client);
      });
      if (values.json) stdout(`${JSON.stringify(keys.map((k) => ({ fingerprint: k.fingerprint, created_at: k.createdAt })), null, 2)}\n`);
      else stdout(keys.length ? keys.map((k) => `${k.fingerprint}  ${k.createdAt.toISOString()}\n`).join('') : 'no seal keys yet (pgtrail seal-key create)\n');
      return 0;
    }
    const out = typeof values.out === 'string' ? values.out : undefined;
    const key = generateSealKey();
    if (out) {
      try {
        writeFileSync(out, privatePem(key), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new UserError(code === 'EEXIST' ? `${out} exists; a key file is never overwritten` : `cannot write ${out}: ${(error as Error).message}`, { cause: error });
      }
    }
    try {
      await withDatabase(config, async (client) => {
        await requireInstalled(client);
        await requireSeals(client);
        await registerKey(client, key);
      });
    } catch (error) {
      if (out) unlinkSync(out);
      throw error;
    }
    stdout(`public key stored in audit.seal_keys; fingerprint ${key.fingerprint}\n`);
    if (out) stdout(`private key written to ${out} (mode 600): set PGTRAIL_SEAL_KEY_FILE=${out} for the process that seals\n`);
    else stdout(`set this in the environment of the process that seals (shown once, never stored):\nPGTRAIL_SEAL_KEY=${privateEnvValue(key)}\n`);
    return 0;
  },
};
