// `pgtrail revert <event id | tx:ID>`: the console's revert, with the caller's own database role.
// The statements go to stdout (a DBA can read or keep them); refusals to stderr, exit 1.
import { UserError } from '../../db/errors.ts';
import { isBigintId } from '../../db/ids.ts';
import { stringifyExact } from '../../query/exact-json.ts';
import type { Selector } from '../../revert/check.ts';
import { buildPreview, canRun, type Preview } from '../../revert/preview.ts';
import { RevertFailed, RevertRefused, runRevert } from '../../revert/run.ts';
import type { Command } from '../command.ts';
import { withDatabase } from '../database.ts';

const KIND = { 'undo-update': 'undo the update', recreate: 're-create the deleted row', remove: 'delete the inserted row' } as const;

function parseTarget(positionals: string[]): Selector {
  if (positionals.length !== 1) throw new UserError(`revert: expected one event id or tx:<transaction id>, got ${positionals.length === 0 ? 'none' : positionals.length}`, { hint: 'pgtrail revert 1234, or pgtrail revert tx:5678' });
  const arg = positionals[0];
  const tx = arg.startsWith('tx:');
  const id = tx ? arg.slice(3) : arg;
  if (!isBigintId(id)) throw new UserError(`revert: "${arg.slice(0, 40)}" is not an event id or tx:<transaction id> (whole numbers)`);
  return { kind: tx ? 'tx' : 'event', id };
}

const json = (row: Record<string, unknown> | null | undefined) => (row === null ? '(no row)' : stringifyExact(row as never));

export function planText(p: Preview): string {
  const lines: string[] = [];
  p.views.forEach(({ step, before, after }, i) => {
    lines.push(`-- step ${i + 1}: ${KIND[step.kind]} of event #${step.event.id} (${step.table.name}, ${step.keyText})`);
    lines.push(`${step.statement.text};`);
    step.statement.values.forEach((v, n) => lines.push(`--   $${n + 1} = ${v}`));
    if (step.defaulted.length > 0) lines.push(`--   not recorded, left to the default: ${step.defaulted.join(', ')}`);
    if (before !== undefined) lines.push(`--   row before: ${json(before)}`, `--   row after:  ${json(after)}`);
    lines.push('');
  });
  if (p.plan.skipped.length > 0) lines.push(`-- left as they are (application events): ${p.plan.skipped.map((e) => `#${e.id} ${e.action}`).join(', ')}`, '');
  return lines.join('\n');
}

export const revertCommand: Command = {
  name: 'revert',
  summary: 'undo one event or a whole transaction, in one transaction, recorded as events linking the original',
  usage: 'revert <event id | tx:ID> [--dry-run] [--force]',
  details: [
    'Undoes an update (the changed columns take their previous values), re-creates a deleted row, or',
    'deletes an inserted row; tx:ID undoes every row change of that transaction, newest first. Prints',
    'the statements (values as jsonb parameters), then runs them in one transaction with your own',
    'database role: all or nothing. The revert is captured as ordinary events attributed to that role',
    '(actor_type db_role), each with metadata.reverts = the event it undoes (and reverts_tx for tx:ID).',
    'Refused, with the reason (exit 1), when the row changed since the event (--force overrides that,',
    'and only that), the row is gone or its key taken, the table\'s columns changed, a value was never',
    'recorded (excluded, redacted, oversized), the event is not a row change, or the table is no',
    'longer audited. Exit codes: 0 reverted (or --dry-run that could run), 1 refused, 2 usage error.',
  ].join('\n'),
  options: {
    'dry-run': { type: 'boolean', description: 'print the statements and the checks; change nothing' },
    force: { type: 'boolean', description: 'revert although the row changed since the event, overwriting the newer change' },
  },
  async run({ config, positionals, values, stdout, stderr }) {
    const selector = parseTarget(positionals);
    const force = values.force === true;
    return withDatabase(config, async (client) => {
      const preview = await buildPreview(client, client, selector);
      if (!preview) throw new UserError(selector.kind === 'tx' ? `transaction ${selector.id} recorded no events` : `there is no event ${selector.id}`, { hint: 'it may have expired under the retention setting' });
      stdout(planText(preview));
      if (!canRun(preview, force)) {
        for (const reason of preview.blocked) stderr(`pgtrail: refused: ${reason}\n`);
        if (preview.blocked.length === 0) {
          for (const reason of preview.changed) stderr(`pgtrail: refused: ${reason}\n`);
          stderr('hint: --force reverts anyway, overwriting the newer change(s)\n');
        }
        return 1;
      }
      if (values['dry-run'] === true) {
        stdout(`dry run: nothing changed; without --dry-run this runs ${preview.plan.steps.length} statement(s) in one transaction${preview.changed.length > 0 ? ', overwriting newer changes (--force)' : ''}\n`);
        return 0;
      }
      try {
        const done = await runRevert(client, preview, { override: force, actor: 'db_role' });
        stdout(`reverted: ${done.statements} statement(s) in transaction ${done.txId}, recorded as its events (metadata.reverts)\n`);
        return 0;
      } catch (error) {
        if (!(error instanceof RevertRefused) && !(error instanceof RevertFailed)) throw error;
        stderr(`pgtrail: ${error instanceof RevertRefused ? `refused: ${error.message}` : error.message}\n`);
        return 1;
      }
    });
  },
};
