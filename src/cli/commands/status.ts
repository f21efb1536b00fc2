import { auditStatus, type TableStatus } from '../../audit/status.ts';
import { UserError } from '../../db/errors.ts';
import { loadSealKey, type SealKey } from '../../integrity/keys.ts';
import { sealHealth } from '../../integrity/seal-health.ts';
import { defaultOptions, type AuditOptions } from '../../generator/spec.ts';
import type { Command } from '../command.ts';
import { withDatabase } from '../database.ts';
import { noArguments } from '../options.ts';
import { formatVerbRule } from '../../generator/verbs.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'list audited tables: current / outdated / missing, options, key, recent events',
  usage: 'status [--json] [--check]',
  details: [
    'outdated: the table or the template changed since auditing was enabled; missing: a trigger was',
    'dropped. Both are fixed by `pgtrail enable <table>` again. "without context" counts events whose',
    'transaction did not call audit.set_context (actor is the database role). When seals are configured,',
    'one more line says when this process has no seal key or events wait longer than two maintenance',
    'intervals to be sealed (on stderr with --json).',
  ].join('\n'),
  options: {
    json: { type: 'boolean', description: 'print the status as JSON (an array, one object per table)' },
    check: { type: 'boolean', description: 'exit with code 3 when a table is not current (for CI and monitoring)' },
  },
  async run({ config, positionals, values, stdout, stderr }) {
    noArguments(positionals, 'status');
    let key: SealKey | null = null;
    let keyError: string | undefined;
    try {
      key = loadSealKey({ key: config.PGTRAIL_SEAL_KEY, file: config.PGTRAIL_SEAL_KEY_FILE });
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      keyError = error.message;
    }
    const { tables, seals } = await withDatabase(config, async (client) => ({
      tables: await auditStatus(client),
      seals: await sealHealth(client, { key, keyError, maintenanceMinutes: config.PGTRAIL_MAINTENANCE_MINUTES }),
    }));
    stdout(values.json ? `${JSON.stringify(tables, null, 2)}\n` : renderTable(tables));
    // The JSON stays an array of tables; the seal line goes beside it.
    if (seals) (values.json ? stderr : stdout)(`${seals}\n`);
    return values.check && tables.some((t) => t.state !== 'current') ? 3 : 0;
  },
};

function renderTable(tables: TableStatus[]): string {
  if (tables.length === 0) return 'no table is audited yet; start with `pgtrail enable <schema.table>`\n';
  const header = ['TABLE', 'STATE', 'EVENTS 24H', 'WITHOUT CONTEXT', 'KEY', 'OPTIONS'];
  const rows = tables.map((t) => [t.table, t.state, String(t.events_24h), String(t.events_24h_without_context), keyText(t), optionsText(t.options)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  const reasons = tables.filter((t) => t.reason).map((t) => `${t.table}: ${t.state} — ${t.reason}`);
  return [line(header), ...rows.map(line), ...(reasons.length > 0 ? ['', ...reasons] : [])].join('\n') + '\n';
}

function keyText(t: TableStatus): string {
  if (t.key_columns.length === 0) return 'none — target_id is NULL';
  return t.key_columns.join(',') + (t.options.key.length > 0 ? ' (--key)' : '');
}

/** The non-default options, written as the flags that would reproduce them. */
function optionsText(options: AuditOptions): string {
  const flags: string[] = [];
  for (const name of ['exclude', 'redact', 'ignore'] as const) {
    if (options[name].length > 0) flags.push(`--${name} ${options[name].join(',')}`);
  }
  if (options.actions.join() !== defaultOptions.actions.join()) flags.push(`--actions ${options.actions.join(',')}`);
  if (options.logUnchanged) flags.push('--log-unchanged');
  if (options.onReplica) flags.push('--on-replica');
  if (options.maxValueBytes !== defaultOptions.maxValueBytes) flags.push(`--max-value-bytes ${options.maxValueBytes}`);
  if (options.label !== null) flags.push(`--label ${JSON.stringify(options.label)}`);
  if (options.typeName !== null) flags.push(`--type-name ${JSON.stringify(options.typeName)}`);
  if (options.entity !== null) flags.push(`--entity ${JSON.stringify(options.entity)}`);
  for (const rule of options.verbs) flags.push(`--verb ${JSON.stringify(formatVerbRule(rule))}`);
  return flags.length > 0 ? flags.join(' ') : 'defaults';
}
