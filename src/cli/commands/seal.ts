import { requireInstalled } from '../../audit/installed.ts';
import { UserError } from '../../db/errors.ts';
import { loadSealKey } from '../../integrity/keys.ts';
import { sealNow } from '../../integrity/seal.ts';
import type { Command } from '../command.ts';
import { withDatabase } from '../database.ts';
import { noArguments } from '../options.ts';

export const sealCommand: Command = {
  name: 'seal',
  summary: 'seal the events committed since the last seal (signed with PGTRAIL_SEAL_KEY or its file)',
  usage: 'seal [--json]',
  details: [
    'Appends one signed seal covering every event whose transaction committed since the previous seal',
    '(a transaction still open is covered by a later seal), plus the retention drops since then.',
    'The pg_cron job cannot sign (the key is not in the database): run this from cron, or let the',
    'console\'s maintenance timer seal, with the key in its environment. See docs/integrity.md.',
  ].join('\n'),
  options: {
    json: { type: 'boolean', description: 'print the outcome as JSON' },
  },
  async run({ config, positionals, values, stdout }) {
    noArguments(positionals, 'seal');
    const key = loadSealKey({ key: config.PGTRAIL_SEAL_KEY, file: config.PGTRAIL_SEAL_KEY_FILE });
    if (!key) throw new UserError('no seal key: set PGTRAIL_SEAL_KEY or PGTRAIL_SEAL_KEY_FILE', { hint: 'pgtrail seal-key create --out FILE makes one' });
    const outcome = await withDatabase(config, async (client) => {
      await requireInstalled(client);
      return sealNow(client, key);
    });
    if (values.json) {
      stdout(`${JSON.stringify(outcome.sealed
        ? { sealed: true, seq: outcome.seq, events: outcome.count, first_id: outcome.firstId, last_id: outcome.lastId, expired: outcome.expired, hash: outcome.hash.toString('hex') }
        : outcome, null, 2)}\n`);
    } else if (outcome.sealed) {
      const range = outcome.count ? `, ids ${outcome.firstId}–${outcome.lastId}` : '';
      const drops = outcome.expired ? `, ${outcome.expired} retention drop(s)` : '';
      stdout(`sealed #${outcome.seq}: ${outcome.count} event(s)${range}${drops}; hash ${outcome.hash.toString('hex')}\n`);
    } else {
      stdout(`nothing to seal: ${outcome.reason}\n`);
    }
    return 0;
  },
};
