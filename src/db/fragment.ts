// A SQL fragment: text with typed values held apart. The same fragment renders two ways:
//   toQuery()   → `$1, $2 …` placeholders + values, for every ordinary query;
//   toLiteral() → values inlined with the driver's literal escaping and an explicit cast, for
//                 COPY, which cannot take bind parameters (the one audited path: src/export/copy-sql.ts).
// Fragments are built only by code in src/query; user input only ever becomes a value.
import { quoteLiteral } from './sql.ts';

/** The SQL types a value may be cast to; anything else is a programming error. */
export type ValueType = 'text' | 'text[]' | 'bigint' | 'timestamptz' | 'inet' | 'cidr' | 'integer';

interface Value {
  value: string | string[] | number | bigint;
  type: ValueType;
}

export class Fragment {
  constructor(readonly parts: ReadonlyArray<string | Value>) {}

  toQuery(): { text: string; values: unknown[] } {
    const values: unknown[] = [];
    const text = this.parts
      .map((p) => {
        if (typeof p === 'string') return p;
        values.push(typeof p.value === 'bigint' ? p.value.toString() : p.value);
        return `$${values.length}::${p.type}`;
      })
      .join('');
    return { text, values };
  }

  toLiteral(): string {
    return this.parts.map((p) => (typeof p === 'string' ? p : literal(p))).join('');
  }
}

function literal(v: Value): string {
  if (Array.isArray(v.value)) {
    // ARRAY['a', 'b']::text[]: each element quoted on its own, no array-literal parsing involved.
    return v.value.length === 0 ? `'{}'::${v.type}` : `ARRAY[${v.value.map((s) => quoteLiteral(s)).join(', ')}]::${v.type}`;
  }
  if (typeof v.value === 'number' || typeof v.value === 'bigint') {
    if (typeof v.value === 'number' && !Number.isSafeInteger(v.value)) throw new Error(`not an integer: ${v.value}`);
    return `${v.value.toString()}::${v.type}`;
  }
  return `${quoteLiteral(v.value)}::${v.type}`;
}

/** Tagged template: sql`a = ${val('x')}`; nested fragments are spliced in. */
export function sql(strings: TemplateStringsArray, ...items: Array<Fragment | Value>): Fragment {
  const parts: Array<string | Value> = [];
  strings.forEach((s, i) => {
    parts.push(s);
    const item = items[i];
    if (item instanceof Fragment) parts.push(...item.parts);
    else if (item !== undefined) parts.push(item);
  });
  return new Fragment(parts.filter((p) => p !== ''));
}

export function val(value: Value['value'], type: ValueType): Value {
  return { value, type };
}

export function join(fragments: Fragment[], separator: string): Fragment {
  const parts: Array<string | Value> = [];
  fragments.forEach((f, i) => {
    if (i > 0) parts.push(separator);
    parts.push(...f.parts);
  });
  return new Fragment(parts);
}

export const raw = (text: string): Fragment => new Fragment([text]);
