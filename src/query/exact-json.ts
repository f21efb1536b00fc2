// JSON that keeps numbers digit for digit. Row images are jsonb, whose numbers are PostgreSQL
// numerics: a bigint above 2^53 or a numeric with 34 digits does not survive JSON.parse, and Node 20
// gives a reviver no access to the source text. So the console parses event JSON here: a number
// JavaScript holds exactly (its shortest text is the token itself) stays a number, every other one
// is an ExactNumber carrying its token; stringifyExact writes both back as they came.

/** A JSON number token JavaScript cannot hold exactly (2^53 + 1, 0.1000000000000000055511…, 1.0). */
export class ExactNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  valueOf(): number {
    return Number(this.text);
  }
  /** JSON.stringify cannot write a token verbatim; output that must be exact uses stringifyExact. */
  toJSON(): number {
    return Number(this.text);
  }
}

export type ExactValue = null | boolean | number | string | ExactNumber | ExactValue[] | { [key: string]: ExactValue };

export class ExactJsonError extends Error {}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

/** JSON.parse, except for numbers JavaScript would round (see ExactNumber). Strict RFC 8259. */
export function parseExact(text: string): ExactValue {
  const p = new Parser(text);
  const value = p.value();
  p.space();
  if (p.at < text.length) p.fail('unexpected text after the value');
  return value;
}

/** The number a token stands for: a JS number if that writes back as the same token. */
export function exactNumber(token: string): number | ExactNumber {
  const n = Number(token);
  return String(n) === token ? n : new ExactNumber(token);
}

class Parser {
  at = 0;
  constructor(private readonly s: string) {}

  fail(why: string): never {
    throw new ExactJsonError(`invalid JSON at offset ${this.at}: ${why}`);
  }

  space(): void {
    WHITESPACE.lastIndex = this.at;
    WHITESPACE.test(this.s);
    this.at = WHITESPACE.lastIndex;
  }

  value(): ExactValue {
    this.space();
    const c = this.s[this.at];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.at)) {
        this.at += word.length;
        return v;
      }
    }
    return this.fail(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
  }

  number(): number | ExactNumber {
    NUMBER.lastIndex = this.at;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail('malformed number');
    this.at = NUMBER.lastIndex;
    return exactNumber(m[0]);
  }

  string(): string {
    const start = this.at;
    let escaped = false;
    for (let i = start + 1; i < this.s.length; i++) {
      const code = this.s.charCodeAt(i);
      if (code === 0x22) {
        this.at = i + 1;
        const token = this.s.slice(start, i + 1);
        // JSON.parse is exact for strings and checks the escapes; slicing is enough without any.
        if (!escaped) return token.slice(1, -1);
        try {
          return JSON.parse(token) as string;
        } catch {
          this.at = start;
          return this.fail('malformed string escape');
        }
      }
      if (code === 0x5c) {
        escaped = true;
        i++;
      } else if (code < 0x20) {
        this.at = i;
        this.fail('raw control character in a string');
      }
    }
    return this.fail('unterminated string');
  }

  array(): ExactValue[] {
    this.at++;
    const out: ExactValue[] = [];
    this.space();
    if (this.s[this.at] === ']') {
      this.at++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.space();
      const c = this.s[this.at++];
      if (c === ']') return out;
      if (c !== ',') {
        this.at--;
        this.fail('expected , or ]');
      }
    }
  }

  object(): { [key: string]: ExactValue } {
    this.at++;
    const out: { [key: string]: ExactValue } = {};
    this.space();
    if (this.s[this.at] === '}') {
      this.at++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.s[this.at] !== '"') this.fail('expected a key');
      const key = this.string();
      this.space();
      if (this.s[this.at] !== ':') this.fail('expected :');
      this.at++;
      const value = this.value();
      // A column named __proto__ is data, as with JSON.parse, not the object's prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
      this.space();
      const c = this.s[this.at++];
      if (c === '}') return out;
      if (c !== ',') {
        this.at--;
        this.fail('expected , or }');
      }
    }
  }
}

/**
 * JSON.stringify for parsed values (parseExact), writing each ExactNumber as its token. `indent`
 * as JSON.stringify's space argument (a number of spaces). Values JSON cannot hold (undefined,
 * functions) are left out of objects and written as null in arrays, like JSON.stringify.
 */
export function stringifyExact(value: unknown, indent = 0): string {
  return write(value, indent > 0 ? ' '.repeat(indent) : '', '') ?? 'null';
}

function write(value: unknown, step: string, pad: string): string | undefined {
  if (value instanceof ExactNumber) return value.text;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) as string | undefined;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return write((value as { toJSON(): unknown }).toJSON(), step, pad);
  const inner = pad + step;
  const open = step ? `\n${inner}` : '';
  const close = step ? `\n${pad}` : '';
  const sep = step ? `,\n${inner}` : ',';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${open}${value.map((v) => write(v, step, inner) ?? 'null').join(sep)}${close}]`;
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const text = write(v, step, inner);
    if (text !== undefined) parts.push(`${JSON.stringify(k)}:${step ? ' ' : ''}${text}`);
  }
  return parts.length ? `{${open}${parts.join(sep)}${close}}` : '{}';
}
