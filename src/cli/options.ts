// Flags shared by `enable` and `generate`, and their translation to AuditOptions.
import { UserError } from '../db/errors.ts';
import { parseQualifiedName, type QualifiedName } from '../db/sql.ts';
import { ACTIONS, type Action, type AuditOptions } from '../generator/spec.ts';
import { parseVerbRule } from '../generator/verbs.ts';
import type { OptionSpec, OptionValues } from './command.ts';

export const auditOptionSpecs: Record<string, OptionSpec> = {
  exclude: { type: 'string', multiple: true, value: 'col[,col]', description: 'columns never recorded (not in old/new data, not in changed_fields)' },
  redact: { type: 'string', multiple: true, value: 'col[,col]', description: `columns recorded as a mask; a change to them is still listed` },
  ignore: { type: 'string', multiple: true, value: 'col[,col]', description: 'columns whose change alone does not make an event' },
  key: { type: 'string', multiple: true, value: 'col[,col]', description: 'columns for target_id when the table has no primary key' },
  actions: { type: 'string', multiple: true, value: 'a[,a]', description: `row changes to record (${ACTIONS.join(', ')}; default all)` },
  'log-unchanged': { type: 'boolean', description: 'also record updates that change nothing (or only ignored columns)' },
  'on-replica': { type: 'boolean', description: 'fire also where session_replication_role = replica (logical replication apply, pg_restore --disable-triggers)' },
  'max-value-bytes': { type: 'string', value: 'N', description: 'rows larger than N stored bytes keep size + md5 of big values (0 = no cap; default 1048576)' },
  label: { type: 'string', value: 'EXPR', description: `how a row is named in events: an expression over its columns, e.g. "'Broadcast: ' || subject"` },
  'type-name': { type: 'string', value: 'NAME', description: 'display name of the type, e.g. Broadcast (shown instead of schema.table)' },
  entity: { type: 'string', value: 'TYPE', description: 'the application type the table stands for (audit.log_event target_type), one history with its rows' },
  verb: { type: 'string', multiple: true, value: 'RULE', description: 'name updates: verb:col=value, verb:col!=value (null = NULL), verb:col; repeat, first match wins' },
};

/** Repeated and comma-separated values, flattened: `--x a,b --x c` → [a, b, c]. */
export function list(values: OptionValues, name: string): string[] | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const items = (Array.isArray(raw) ? raw : [String(raw)]).flatMap((v) => v.split(',')).map((v) => v.trim());
  if (items.some((v) => v === '')) throw new UserError(`--${name}: empty value in "${[raw].flat().join(" ")}"`);
  return items;
}

/** Only the options the user gave; the API fills in defaults. */
export function auditOptionsFrom(values: OptionValues): Partial<AuditOptions> {
  const options: Partial<AuditOptions> = {};
  for (const name of ['exclude', 'redact', 'ignore', 'key'] as const) {
    const items = list(values, name);
    if (items) options[name] = items;
  }
  const actions = list(values, 'actions')?.map((a) => a.toLowerCase());
  if (actions) {
    const unknown = actions.find((a) => !(ACTIONS as readonly string[]).includes(a));
    if (unknown) throw new UserError(`--actions: unknown action "${unknown}"; choose from ${ACTIONS.join(', ')}`);
    options.actions = actions as Action[];
  }
  if (values['log-unchanged']) options.logUnchanged = true;
  if (values['on-replica']) options.onReplica = true;
  for (const [flag, key] of [['label', 'label'], ['type-name', 'typeName'], ['entity', 'entity']] as const) {
    const value = values[flag];
    if (value !== undefined) options[key] = String(value);
  }
  // Not split on commas: a rule's value may hold one.
  const verbs = values.verb;
  if (verbs !== undefined) options.verbs = (Array.isArray(verbs) ? verbs : [String(verbs)]).map(parseVerbRule);
  const max = values['max-value-bytes'];
  if (max !== undefined) {
    if (!/^\d+$/.test(String(max)) || !Number.isSafeInteger(Number(max))) {
      throw new UserError(`--max-value-bytes: expected a whole number of bytes, got "${max}"`);
    }
    options.maxValueBytes = Number(max);
  }
  return options;
}

/** The single `<table>` argument of enable / disable / generate. */
export function oneTable(positionals: string[], command: string): QualifiedName {
  if (positionals.length === 0) throw new UserError(`${command}: which table?`, { hint: `pgtrail ${command} <schema.table>` });
  if (positionals.length > 1) {
    throw new UserError(`${command}: one table at a time, got ${positionals.length} (${positionals.join(' ')})`, {
      hint: 'options go after the table name with their dashes, e.g. --exclude a,b',
    });
  }
  return parseQualifiedName(positionals[0]);
}

/** For commands that take no positional arguments: a stray word is a mistake worth reporting. */
export function noArguments(positionals: string[], command: string): void {
  if (positionals.length > 0) throw new UserError(`${command} takes no arguments, got "${positionals.join(' ')}"`, { hint: `pgtrail ${command} --help` });
}
