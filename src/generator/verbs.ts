// Verb rules: name an update by the change it makes (`send:status=sent` → the update that makes
// status 'sent' is a `send`). The row action stays `update`; the verb is a field of its own.
// Declarative on purpose: a rule is a verb, a column, one of three kinds of change and a literal,
// each written into the capture function through the one quoting path, so no rule is SQL.
import { UserError } from '../db/errors.ts';
import { quoteLiteral } from '../db/sql.ts';
import type { VerbRule } from './spec.ts';

/** Verbs are lower-case words, like the last part of an application action (`broadcast.send`). */
export const VERB = /^[a-z][a-z0-9_]*$/;
const MAX_VERB_BYTES = 63;
const MAX_VALUE_BYTES = 200;

/**
 * `verb:column=value` — the update makes column equal value; `verb:column!=value` — the column
 * had value and now has another; `verb:column` — any change of column. `null` is SQL NULL
 * (`pause:paused_at!=null`: paused_at set); a value in double quotes is that text exactly
 * (`"null"`, or one with `=` in it).
 */
export function parseVerbRule(text: string): VerbRule {
  const m = /^([^:]*):([^=!]+?)(?:(!?=)(.*))?$/s.exec(text.trim());
  if (!m) throw new UserError(`--verb: "${text.slice(0, 60)}" is not a rule; write verb:column=value, verb:column!=value or verb:column`);
  const [, verb, column, op, rawValue] = m;
  const rule: VerbRule = {
    verb: verb.trim(),
    column: column.trim(),
    change: op === undefined ? 'changes' : op === '=' ? 'becomes' : 'leaves',
    value: op === undefined ? null : parseValue(rawValue.trim()),
  };
  checkVerbRule(rule);
  return rule;
}

function parseValue(raw: string): string | null {
  if (raw === 'null') return null;
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) return raw.slice(1, -1);
  return raw;
}

/** The checks that do not need the table (introspect checks the column exists). */
export function checkVerbRule(rule: VerbRule): void {
  if (!VERB.test(rule.verb) || Buffer.byteLength(rule.verb) > MAX_VERB_BYTES) {
    throw new UserError(`--verb: "${rule.verb.slice(0, 60)}" is not a verb; use a lower-case word (letters, digits, _), e.g. send`);
  }
  if (rule.column === '' || rule.column.includes('\0')) throw new UserError(`--verb ${rule.verb}: which column?`);
  if (!['becomes', 'leaves', 'changes'].includes(rule.change)) throw new UserError(`--verb ${rule.verb}: unknown change "${rule.change}"`);
  if (rule.value !== null) {
    if (rule.value.includes('\0')) throw new UserError(`--verb ${rule.verb}: the value must not contain NUL bytes`);
    if (Buffer.byteLength(rule.value) > MAX_VALUE_BYTES) throw new UserError(`--verb ${rule.verb}: the value is longer than ${MAX_VALUE_BYTES} bytes`);
  }
  if (rule.change === 'changes' && rule.value !== null) throw new UserError(`--verb ${rule.verb}: a rule on any change of a column takes no value`);
}

/** How a rule reads in `status` and errors: the same form it is written in. */
export function formatVerbRule(rule: VerbRule): string {
  if (rule.change === 'changes') return `${rule.verb}:${rule.column}`;
  const value = rule.value === null ? 'null' : rule.value === 'null' || /^".*"$/s.test(rule.value) ? `"${rule.value}"` : rule.value;
  return `${rule.verb}:${rule.column}${rule.change === 'becomes' ? '=' : '!='}${value}`;
}

/**
 * The verb of one updated row: CASE over the rules in order, NULL when none matches (or there are
 * none). Columns compare by text form, which never raises, so a rule cannot make a write fail.
 */
export function renderVerb(rules: VerbRule[], before: (column: string) => string, after: (column: string) => string): string {
  if (rules.length === 0) return 'NULL::text';
  const whens = rules.map((r) => {
    const [o, n] = [`(${before(r.column)})::text`, `(${after(r.column)})::text`];
    let when: string;
    if (r.change === 'changes') when = `${o} IS DISTINCT FROM ${n}`;
    else if (r.value === null) when = r.change === 'becomes' ? `${n} IS NULL AND ${o} IS NOT NULL` : `${o} IS NULL AND ${n} IS NOT NULL`;
    else {
      const v = quoteLiteral(r.value);
      when = r.change === 'becomes'
        ? `${n} = ${v} AND ${o} IS DISTINCT FROM ${v}`
        : `${o} = ${v} AND ${n} IS DISTINCT FROM ${v}`;
    }
    return `WHEN ${when} THEN ${quoteLiteral(r.verb)}`;
  });
  return `CASE ${whens.join(' ')} END`;
}
