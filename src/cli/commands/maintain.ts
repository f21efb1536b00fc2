import { stepsText } from '../../maintenance/describe.ts';
import { runMaintenance } from '../../maintenance/run.ts';
import { requireInstalled } from '../../audit/installed.ts';
import { loadSealKey } from '../../integrity/keys.ts';
import type { SealOutcome } from '../../integrity/seal.ts';
import type { Command } from '../command.ts';
import { withDatabase } from '../database.ts';
import { noArguments } from '../options.ts';

export const maintainCommand: Command = {
  name: 'maintain',
  summary: 'run partition maintenance now: premake, move strays out of the default partition, drop expired',
  usage: 'maintain [--json]',
  details: [
    'Runs SELECT * FROM audit.maintain() and prints what it created, moved and dropped. Safe at any',
    'time and idempotent; if maintenance is already running elsewhere (the pg_cron job, a console),',
    'this waits for it and then usually has nothing left to do. Needs a role that may execute',
    'audit.maintain (the installing role, or one granted EXECUTE on it). With PGTRAIL_SEAL_KEY or',
    'PGTRAIL_SEAL_KEY_FILE set it then seals, like `pgtrail seal` (the outcome goes to stderr).',
  ].join('\n'),
  options: {
    json: { type: 'boolean', description: 'print the report as JSON (an array, one object per partition touched)' },
  },
  async run({ config, positionals, values, stdout, stderr }) {
    noArguments(positionals, 'maintain');
    const sealKey = loadSealKey({ key: config.PGTRAIL_SEAL_KEY, file: config.PGTRAIL_SEAL_KEY_FILE });
    let sealed: SealOutcome | undefined;
    const steps = await withDatabase(config, async (client) => {
      await requireInstalled(client);
      return runMaintenance(client, undefined, { sealKey, onSeal: (o) => (sealed = o) });
    });
    // --json uses audit.maintain()'s own column names, like `status --json` uses the database's.
    const json = steps.map((s) => ({ action: s.action, partition: s.partition, range_from: s.rangeFrom, range_to: s.rangeTo, rows: s.rows }));
    stdout(values.json ? `${JSON.stringify(json, null, 2)}\n` : stepsText(steps));
    const outcome = sealed as SealOutcome | undefined;
    if (outcome) stderr(outcome.sealed ? `sealed #${outcome.seq}: ${outcome.count} event(s)\n` : `nothing to seal: ${outcome.reason}\n`);
  },
};
