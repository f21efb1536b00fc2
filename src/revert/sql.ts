// The statements a revert runs, rendered through the one quoting path (src/db/sql.ts): only
// identifiers are in the text; every value travels in a jsonb parameter that
// jsonb_populate_record turns back into the column's own type — the inverse of the capture's
// to_jsonb, so arrays, composites, bytea and timestamps come back exactly as they were recorded.
import { qualify, quoteIdent, type QualifiedName } from '../db/sql.ts';

export interface Statement {
  text: string;
  /** jsonb texts, $1, $2, … */
  values: string[];
}

const record = (t: QualifiedName, param: number) => `pg_catalog.jsonb_populate_record(NULL::${qualify(t)}, $${param}::jsonb)`;
const keyMatch = (keys: string[], row: string, key: string) => keys.map((k) => `${row}.${quoteIdent(k)} = ${key}.${quoteIdent(k)}`).join(' AND ');

/** Undo an update: the changed columns take their previous values ($1) in the row whose key is $2. */
export function updateStatement(t: QualifiedName, keys: string[], columns: string[], values: string, key: string): Statement {
  return {
    text: [
      `UPDATE ${qualify(t)} AS t`,
      `   SET ${columns.map((c) => `${quoteIdent(c)} = v.${quoteIdent(c)}`).join(', ')}`,
      `  FROM ${record(t, 1)} AS v,`,
      `       ${record(t, 2)} AS k`,
      ` WHERE ${keyMatch(keys, 't', 'k')}`,
    ].join('\n'),
    values: [values, key],
  };
}

/** Re-create a deleted row from its recorded image ($1). */
export function insertStatement(t: QualifiedName, columns: string[], overriding: boolean, values: string): Statement {
  const list = columns.map(quoteIdent).join(', ');
  return {
    text: [
      `INSERT INTO ${qualify(t)} (${list})${overriding ? ' OVERRIDING SYSTEM VALUE' : ''}`,
      `SELECT ${columns.map((c) => `v.${quoteIdent(c)}`).join(', ')}`,
      `  FROM ${record(t, 1)} AS v`,
    ].join('\n'),
    values: [values],
  };
}

/** Delete an inserted row, found by its key ($1). */
export function deleteStatement(t: QualifiedName, keys: string[], key: string): Statement {
  return {
    text: [
      `DELETE FROM ${qualify(t)} AS t`,
      ` USING ${record(t, 1)} AS k`,
      ` WHERE ${keyMatch(keys, 't', 'k')}`,
    ].join('\n'),
    values: [key],
  };
}

/**
 * The row now, found by its key ($1), and for each of `compared` whether it differs from the
 * expected image ($2). Text forms are compared, as the capture's changed_fields does for types
 * without a trustworthy `=` (json, geometric, …); both sides are rendered by this session.
 */
export function rowNowStatement(t: QualifiedName, keys: string[], compared: string[], key: string, expected: string, lock: boolean): Statement {
  const differs = compared.map((c) => `(t.${quoteIdent(c)})::text IS DISTINCT FROM (e.${quoteIdent(c)})::text`);
  return {
    text: [
      `SELECT pg_catalog.to_jsonb(t)::text AS row, ARRAY[${differs.join(', ')}]::boolean[] AS differs`,
      `  FROM ${qualify(t)} AS t, ${record(t, 1)} AS k, ${record(t, 2)} AS e`,
      ` WHERE ${keyMatch(keys, 't', 'k')}`,
      ...(lock ? [' FOR UPDATE OF t'] : []),
    ].join('\n'),
    values: [key, expected],
  };
}
