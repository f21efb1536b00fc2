// The text of a SQL file that PostgreSQL keeps: everything inside quotes (string literals, quoted
// identifiers, dollar-quoted function bodies, whose comments are stored in the catalog too) exactly,
// and outside them the tokens without comments, whitespace runs read as one space. Two files with
// the same significant text install the same objects; they may differ in their header comments.

const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

export function significantSql(text: string): string {
  const out: string[] = [];
  let plain = '';
  const flushPlain = () => {
    if (plain) out.push(plain.replace(/\s+/g, ' '));
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    let end = -1;
    if (rest.startsWith('--')) {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? text.length : eol;
      plain += ' ';
      continue;
    }
    if (rest.startsWith('/*')) {
      i = skipBlockComment(text, i);
      plain += ' ';
      continue;
    }
    const tag = DOLLAR_TAG.exec(rest)?.[0];
    const prev = text[i - 1] ?? ' ';
    if (tag && !/[A-Za-z0-9_]/.test(prev)) {
      const close = text.indexOf(tag, i + tag.length);
      end = close === -1 ? text.length : close + tag.length;
    } else if (text[i] === "'") {
      end = skipQuoted(text, i, "'", /[Ee]/.test(prev) && !/[A-Za-z0-9_]/.test(text[i - 2] ?? ' '));
    } else if (text[i] === '"') {
      end = skipQuoted(text, i, '"', false);
    }
    if (end === -1) {
      plain += text[i];
      i += 1;
      continue;
    }
    flushPlain();
    out.push(text.slice(i, end));
    i = end;
  }
  flushPlain();
  return out.join('').trim();
}

/** The index after a quoted run starting at `start`; a doubled quote is part of it, and in E'…' a backslash escapes. */
function skipQuoted(text: string, start: number, quote: string, backslashes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    if (backslashes && text[i] === '\\') i += 2;
    else if (text[i] === quote && text[i + 1] === quote) i += 2;
    else if (text[i] === quote) return i + 1;
    else i += 1;
  }
  return text.length;
}

/** Block comments nest in PostgreSQL. */
function skipBlockComment(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text.startsWith('/*', i)) { depth += 1; i += 2; }
    else if (text.startsWith('*/', i)) { depth -= 1; i += 2; if (depth === 0) return i; }
    else i += 1;
  }
  return text.length;
}
