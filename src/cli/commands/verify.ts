import { requireInstalled } from '../../audit/installed.ts';
import { UserError } from '../../db/errors.ts';
import { isFingerprint } from '../../integrity/keys.ts';
import { reportText } from '../../integrity/report-text.ts';
import { parseExpectedHead, verifyTrail, type VerifyProgress } from '../../integrity/verify.ts';
import { parseFilter } from '../../query/filter.ts';
import type { Command } from '../command.ts';
import { requireDatabaseUrl, withDatabase } from '../database.ts';
import { connectClient } from '../../db/connect.ts';
import type pg from 'pg';
import { list, noArguments } from '../options.ts';
import { progressOnStderr } from '../progress.ts';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'prove the trail: recompute every seal and the chain; exit 0 verified, 1 not',
  usage: 'verify [--key FINGERPRINT] [--head SEQ:HASH] [--from TIME] [--to TIME] [--jobs N] [--json]',
  details: [
    'Checks every seal\'s signature, the hash chain and its sequence, and recomputes the events of each',
    'seal (those overlapping --from/--to): altered, missing (deleted) and inserted events are named by',
    'id; events that left under the retention policy are reported as such, not as missing. Give the',
    'fingerprint you recorded when the key was made (--key, repeatable after a key change): without it,',
    'a chain re-signed with a new key whose public half was swapped into the database would verify.',
    'Keep the head each verify prints (--head SEQ:HASH) outside the database and give it next time: the',
    'chain must still contain that seal, so an older backup restored over the newest seals is caught.',
    'Exit codes: 0 verified, 1 not verified, 2 usage error.',
  ].join('\n'),
  options: {
    key: { type: 'string', multiple: true, value: 'fingerprint', description: 'the expected key fingerprint (64 hex characters); repeatable' },
    head: { type: 'string', value: 'seq:hash', description: 'the chain head an earlier verify printed; the chain must still contain it' },
    from: { type: 'string', value: 'time', description: 'recompute only seals with events from this time (ISO 8601)' },
    to: { type: 'string', value: 'time', description: 'recompute only seals with events before this time; a date alone includes that day' },
    jobs: { type: 'string', value: 'n', description: 'database connections recomputing digests at once (default 2; one per core of the server is the most that helps)' },
    json: { type: 'boolean', description: 'print the report as JSON' },
  },
  async run({ config, positionals, values, stdout, stderr }) {
    noArguments(positionals, 'verify');
    const keys = (list(values, 'key') ?? []).map((k) => k.toLowerCase());
    const bad = keys.find((k) => !isFingerprint(k));
    if (bad !== undefined) throw new UserError(`--key "${bad.slice(0, 80)}" is not a key fingerprint (64 hex characters, as \`pgtrail seal-key create\` printed)`);
    const head = typeof values.head === 'string' ? parseExpectedHead(values.head) ?? undefined : undefined;
    if (typeof values.head === 'string' && !head) throw new UserError(`--head "${values.head.slice(0, 100)}" is not a chain head (SEQ:HASH, e.g. 42:<64 hex characters>, as verify printed it)`);
    const jobs = values.jobs === undefined ? 2 : /^\d{1,2}$/.test(String(values.jobs)) ? Number(values.jobs) : NaN;
    if (!(jobs >= 1 && jobs <= 16)) throw new UserError(`--jobs "${String(values.jobs).slice(0, 40)}" must be a whole number from 1 to 16`);
    const window = new URLSearchParams();
    if (typeof values.from === 'string') window.set('from', values.from);
    if (typeof values.to === 'string') window.set('to', values.to);
    const { from, to } = parseFilter(window);
    // How far the recomputation is, on stderr only: stdout (text or --json) is the same with it or without.
    const progress = progressOnStderr(stderr);
    const onProgress = progress.active
      ? (p: VerifyProgress) => progress.update({ done: p.seals, total: p.sealsTotal, unit: 'seals', rows: p.events, rowsTotal: p.eventsTotal, rowUnit: 'events' })
      : undefined;
    const report = await withDatabase(config, async (client) => {
      await requireInstalled(client);
      const helpers: pg.Client[] = [];
      try {
        for (let i = 1; i < jobs; i++) {
          const helper = await connectClient(requireDatabaseUrl(config));
          helper.on('error', () => {});
          helpers.push(helper);
        }
        return await verifyTrail(client, { keys, head, from, to, helpers, onProgress });
      } finally {
        progress.end();
        await Promise.all(helpers.map((h) => h.end().catch(() => {})));
      }
    });
    stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
    return report.ok ? 0 : 1;
  },
};
