// A table's label expression (`--label "'Broadcast: ' || subject"`): DBA-written SQL that ends up
// inside a SECURITY DEFINER capture function, so it is never pasted in as text. It is read here
// token by token, checked against a small grammar, and written out again from the tokens: column
// names through quoteIdent (as references to the row being recorded), strings through
// quoteLiteral, keywords, functions and types from fixed lists, operators only from operator
// characters. Whatever PostgreSQL would read differently from this reader (comments, `;`, dollar
// quotes, escape strings, a second expression) is refused, and what is written out is what was
// read. No SELECT, VALUES, TABLE or WITH can appear, so a label cannot read another table with the
// owner's rights; functions are a list of plain scalar ones (no aggregates or set-returning ones,
// which would change the number of rows recorded, and none that run SQL or touch files).
// docs/labels-verbs.md says why.
import { UserError } from '../db/errors.ts';
import { quoteLiteral } from '../db/sql.ts';

/** Labels are cut to this many characters when recorded, so a huge text column never bloats events. */
const LABEL_MAX_CHARS = 200;
/** The expression itself. */
const LABEL_MAX_BYTES = 1000;

const KEYWORDS = new Set([
  'case', 'when', 'then', 'else', 'end', 'and', 'or', 'not', 'is', 'null', 'true', 'false', 'distinct',
  'from', 'for', 'like', 'ilike', 'in', 'between', 'cast', 'as', 'similar', 'to', 'escape', 'leading', 'trailing', 'both',
]);

const FUNCTIONS = new Set([
  'coalesce', 'nullif', 'greatest', 'least', 'concat', 'concat_ws', 'format', 'upper', 'lower', 'initcap',
  'trim', 'btrim', 'ltrim', 'rtrim', 'left', 'right', 'substr', 'substring', 'replace', 'split_part', 'lpad', 'rpad',
  'length', 'char_length', 'to_char', 'date_trunc', 'round', 'trunc', 'abs', 'md5', 'reverse', 'strpos', 'position',
  'regexp_replace', 'translate', 'array_to_string', 'jsonb_extract_path_text', 'json_extract_path_text', 'to_jsonb',
]);

const TYPES = new Set([
  'text', 'varchar', 'int', 'integer', 'int2', 'int4', 'int8', 'smallint', 'bigint', 'numeric', 'decimal', 'real',
  'float4', 'float8', 'date', 'time', 'timestamp', 'timestamptz', 'boolean', 'bool', 'uuid', 'jsonb', 'json',
]);

/** Words that would start a subquery or a statement: named in the error, since they are the likely attack. */
const FORBIDDEN = new Set(['select', 'values', 'table', 'with', 'insert', 'update', 'delete', 'into', 'union', 'lateral', 'returning', 'do', 'execute', 'copy']);

export type Token =
  | { kind: 'column'; name: string }
  | { kind: 'word'; text: string }
  | { kind: 'function'; name: string }
  | { kind: 'type'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'op'; text: string }
  | { kind: 'punct'; text: '(' | ')' | ',' | '[' | ']' | '::' };

const fail = (message: string): never => {
  throw new UserError(`--label: ${message}`);
};

/**
 * Reads and checks a label expression against the table's columns; the tokens are what
 * renderLabel writes out. Throws a one-line UserError saying what is wrong.
 */
export function parseLabel(expression: string, columns: readonly string[]): Token[] {
  if (expression.includes('\0')) fail('must not contain NUL bytes');
  if (Buffer.byteLength(expression) > LABEL_MAX_BYTES) fail(`is longer than ${LABEL_MAX_BYTES} bytes`);
  const known = new Set(columns);
  const raw = lex(expression);
  if (raw.length === 0) fail('is empty');
  const tokens: Token[] = [];
  let depth = 0;
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i];
    const next = raw[i + 1];
    const prev = tokens[tokens.length - 1];
    if (t.kind === 'ident' || t.kind === 'quoted') {
      const name = t.kind === 'ident' ? t.text.toLowerCase() : t.text;
      if ((prev?.kind === 'punct' && prev.text === '::') || (prev?.kind === 'word' && prev.text === 'as')) {
        if (t.kind !== 'ident' || !TYPES.has(name)) fail(`cast to "${name}" is not allowed; use one of ${[...TYPES].join(', ')}`);
        tokens.push({ kind: 'type', name });
      } else if (t.kind === 'quoted') {
        if (!known.has(name)) fail(`column "${name}" does not exist in the table`);
        tokens.push({ kind: 'column', name });
      } else if (FORBIDDEN.has(name)) {
        fail(`"${name}" is not allowed: a label is one expression over the row's own columns (no subqueries)`);
      } else if (next?.kind === 'punct' && next.text === '(' && !KEYWORDS.has(name)) {
        if (!FUNCTIONS.has(name)) fail(`function "${name}" is not allowed; use one of ${[...FUNCTIONS].join(', ')}`);
        tokens.push({ kind: 'function', name });
      } else if (KEYWORDS.has(name)) {
        // Unquoted, a keyword is the keyword (as in PostgreSQL); a column of that name is written "quoted".
        tokens.push({ kind: 'word', text: name });
      } else if (known.has(name)) {
        tokens.push({ kind: 'column', name });
      } else {
        fail(`column "${name}" does not exist in the table`);
      }
      continue;
    }
    if (t.kind === 'punct') {
      if (t.text === '(' || t.text === '[') depth++;
      if (t.text === ')' || t.text === ']') depth--;
      if (depth < 0) fail(`unbalanced "${t.text}"`);
      // A comma outside any parentheses would make the label two expressions (two columns).
      if (t.text === ',' && depth === 0) fail('must be one expression (a comma outside parentheses makes two)');
      tokens.push({ kind: 'punct', text: t.text });
      continue;
    }
    tokens.push(t.kind === 'string' ? { kind: 'string', value: t.text } : t.kind === 'number' ? { kind: 'number', text: t.text } : { kind: 'op', text: t.text });
  }
  if (depth !== 0) fail('unbalanced parentheses');
  return tokens;
}

/** Writes the tokens out as SQL, each column through `column` (a reference to the recorded row). */
export function renderLabel(tokens: Token[], column: (name: string) => string): string {
  const text = tokens.map((t) => {
    switch (t.kind) {
      case 'column': return column(t.name);
      case 'word': return t.text.toUpperCase();
      // Unqualified: the capture function's search_path is pg_catalog, pg_temp, and PostgreSQL never
      // looks up functions or types in pg_temp unqualified; qualified, position(a IN b) and
      // substring(x FROM 1) would lose their special syntax.
      case 'function': return t.name;
      case 'type': return t.name;
      case 'string': return quoteLiteral(t.value);
      case 'number': return t.text;
      case 'op': return t.text;
      case 'punct': return t.text;
    }
  }).join(' ');
  // The recorded label: text, cut to LABEL_MAX_CHARS.
  return `pg_catalog.left((${text})::text, ${LABEL_MAX_CHARS})`;
}

type RawToken = { kind: 'ident' | 'quoted' | 'string' | 'number' | 'op'; text: string } | { kind: 'punct'; text: '(' | ')' | ',' | '[' | ']' | '::' };

const OP_CHARS = '+-*/<>=~!@#%^&|`?';

/** A lexer for the subset: refuses whatever it does not read exactly as PostgreSQL would. */
function lex(s: string): RawToken[] {
  const out: RawToken[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === ';') fail('";" is not allowed: a label is one expression');
    if (c === '$') fail('"$" is not allowed (no parameters or dollar quotes); write text in single quotes');
    if (c === '\\') fail('"\\" is not allowed outside a string');
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= s.length) fail('unterminated string');
        if (s[i] === "'") {
          if (s[i + 1] === "'") { value += "'"; i += 2; continue; }
          i++;
          break;
        }
        value += s[i++];
      }
      // 'a' 'b' across a newline is one string to PostgreSQL: refuse rather than read it differently.
      if (s[i] === "'") fail('two strings next to each other');
      out.push({ kind: 'string', text: value });
      continue;
    }
    if (c === '"') {
      let name = '';
      i++;
      for (;;) {
        if (i >= s.length) fail('unterminated quoted name');
        if (s[i] === '"') {
          if (s[i + 1] === '"') { name += '"'; i += 2; continue; }
          i++;
          break;
        }
        name += s[i++];
      }
      out.push({ kind: 'quoted', text: name });
      continue;
    }
    if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const start = i;
      while (i < s.length && /[A-Za-z0-9_\u0080-\uffff]/.test(s[i])) i++;
      // E'…', U&'…', B'…', X'…', N'…' change how the string is read.
      if (s[i] === "'" || s[i] === '&' || s[i] === '"') fail(`"${s.slice(start, i + 1)}…": escape, Unicode and bit strings are not allowed; use a plain '…' string`);
      out.push({ kind: 'ident', text: s.slice(start, i) });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(s[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(s.slice(i))!;
      i += m[0].length;
      if (/[A-Za-z_.]/.test(s[i] ?? '')) fail(`"${s.slice(i - m[0].length, i + 1)}" is not a number`);
      out.push({ kind: 'number', text: m[0] });
      continue;
    }
    if (c === ':' ) {
      if (s[i + 1] !== ':') fail('":" is not allowed (casts are written ::type)');
      out.push({ kind: 'punct', text: '::' });
      i += 2;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '[' || c === ']') {
      out.push({ kind: 'punct', text: c });
      i++;
      continue;
    }
    if (OP_CHARS.includes(c)) {
      const start = i;
      while (i < s.length && OP_CHARS.includes(s[i])) i++;
      const op = s.slice(start, i);
      if (op.includes('--') || op.includes('/*')) fail('comments are not allowed');
      if (op.includes('*/')) fail(`"${op}" is not an operator`);
      out.push({ kind: 'op', text: op });
      continue;
    }
    fail(`unexpected character "${c}"`);
  }
  return out;
}
