// A strict RFC 4180 parser for reading exports back (no dependency: ~40 lines, and strict on
// purpose — a stray quote inside an unquoted field is an error here, where lenient parsers guess).
// Records end at LF or CRLF; quoted fields may hold commas, quotes ("") and line breaks.
// An unquoted empty field is returned as null (COPY writes NULL that way, and '' as "").

export function parseCsv(text: string): Array<Array<string | null>> {
  const rows: Array<Array<string | null>> = [];
  let row: Array<string | null> = [];
  let i = 0;
  if (text === '') return rows;
  for (;;) {
    let field: string | null;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error(`unterminated quoted field at ${i}`);
        value += text.slice(i, q);
        if (text[q + 1] === '"') { value += '"'; i = q + 2; continue; }
        i = q + 1;
        break;
      }
      field = value;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      const value = text.slice(i, j);
      if (value.includes('"')) throw new Error(`quote inside an unquoted field at ${i}`);
      field = value === '' ? null : value;
      i = j;
    }
    row.push(field);
    if (text[i] === ',') { i++; continue; }
    if (text[i] === '\r' && text[i + 1] === '\n') i++;
    if (i < text.length && text[i] !== '\n') throw new Error(`unexpected ${JSON.stringify(text[i])} after a field at ${i}`);
    rows.push(row);
    row = [];
    i++;
    if (i >= text.length) return rows;
  }
}

/** Header + rows → objects keyed by the header. */
export function csvRecords(text: string): Array<Record<string, string | null>> {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => {
    if (r.length !== header.length) throw new Error(`row has ${r.length} fields, header ${header.length}`);
    return Object.fromEntries(header.map((h, k) => [h as string, r[k]]));
  });
}
