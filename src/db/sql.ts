// The one quoting path. Identifiers are the only thing ever interpolated into SQL text;
// every value travels as a $n parameter (except COPY, which has its own audited builder).
import { createHash } from 'node:crypto';
import pg from 'pg';
import { UserError } from './errors.ts';

/** PostgreSQL's identifier limit, in bytes (NAMEDATALEN - 1). */
export const MAX_IDENTIFIER_BYTES = 63;

export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new UserError(`identifier contains a NUL byte: ${JSON.stringify(name)}`);
  return pg.escapeIdentifier(name);
}

/** Literal quoting for the few places that cannot take parameters (generated DDL, COPY). */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new UserError('value contains a NUL byte');
  return pg.escapeLiteral(value);
}

export interface QualifiedName {
  schema: string;
  table: string;
}

export function qualify(name: QualifiedName): string {
  return `${quoteIdent(name.schema)}.${quoteIdent(name.table)}`;
}

/** `schema.table` as text for events' target_type: unquoted, as people read it. */
export function displayName(name: QualifiedName): string {
  return `${name.schema}.${name.table}`;
}

/**
 * Parses `table`, `schema.table`, `"My Schema"."Tbl"` the way PostgreSQL parses a qualified name:
 * unquoted parts fold to lower case, quoted parts keep case and may contain dots and `""`.
 */
export function parseQualifiedName(input: string, defaultSchema = 'public'): QualifiedName {
  const parts: string[] = [];
  let i = 0;
  const s = input.trim();
  while (i <= s.length) {
    let part = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new UserError(`unterminated quoted identifier in "${input}"`);
        if (s[i] === '"') {
          if (s[i + 1] === '"') { part += '"'; i += 2; continue; }
          i++;
          break;
        }
        part += s[i++];
      }
    } else {
      const start = i;
      while (i < s.length && s[i] !== '.') i++;
      part = s.slice(start, i).trim().toLowerCase();
      if (part === '' || /[\s"]/.test(part)) {
        throw new UserError(`"${input}" is not a table name; quote names with spaces or capitals: '"My Table"'`);
      }
    }
    parts.push(part);
    if (i >= s.length) break;
    if (s[i] !== '.') throw new UserError(`unexpected character after identifier in "${input}"`);
    i++;
  }
  if (parts.length === 1) return { schema: defaultSchema, table: parts[0] };
  if (parts.length === 2) return { schema: parts[0], table: parts[1] };
  throw new UserError(`"${input}" is not a table name: expected schema.table`);
}

/**
 * A deterministic, lower-case identifier built from free text, at most 63 bytes. A short hash of
 * the exact input is always appended, so names that fold to the same text stay distinct.
 */
export function safeIdentifier(prefix: string, text: string): string {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 10);
  const folded = text.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  const room = MAX_IDENTIFIER_BYTES - prefix.length - hash.length - 1;
  return `${prefix}${folded.slice(0, room)}_${hash}`.replace(/__+/g, '_');
}
