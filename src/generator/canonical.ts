// The session settings that change how to_jsonb and ::text render a value, pinned on every capture
// function so that a row image does not depend on who wrote it: timestamptz in UTC
// ("2026-12-01T12:00:00+00:00"), intervals in PostgreSQL's default style ("1 day 02:00:00"),
// floats in their shortest exact form, bytea as hex, money without a locale's currency sign.
// DateStyle reaches JSON through ranges and composite values rendered by their output functions.
export const CANONICAL_SETTINGS: ReadonlyArray<readonly [name: string, value: string]> = [
  ['TimeZone', 'UTC'],
  ['DateStyle', 'ISO, YMD'],
  ['IntervalStyle', 'postgres'],
  ['extra_float_digits', '1'],
  ['bytea_output', 'hex'],
  ['lc_monetary', 'C'],
];

type SettingName = (typeof CANONICAL_SETTINGS)[number][0];

/** Built-in types whose text or JSON form depends on one of the settings above. */
const DEPENDS: Record<string, SettingName[]> = {
  timestamptz: ['TimeZone', 'DateStyle'],
  timestamp: ['DateStyle'],
  date: ['DateStyle'],
  time: ['DateStyle'],
  timetz: ['DateStyle'],
  interval: ['IntervalStyle'],
  float4: ['extra_float_digits'],
  float8: ['extra_float_digits'],
  bytea: ['bytea_output'],
  money: ['lc_monetary'],
  // Geometric types print their coordinates as floats.
  point: ['extra_float_digits'], line: ['extra_float_digits'], lseg: ['extra_float_digits'], box: ['extra_float_digits'],
  path: ['extra_float_digits'], polygon: ['extra_float_digits'], circle: ['extra_float_digits'],
};

/** Types whose form needs none of them (everything not listed in either table needs them all). */
const INDEPENDENT = new Set([
  'bool', 'int2', 'int4', 'int8', 'oid', 'char', 'name', 'text', 'varchar', 'bpchar', 'uuid', 'numeric',
  'json', 'jsonb', 'inet', 'cidr', 'macaddr', 'macaddr8', 'xml', 'bit', 'varbit', 'tsvector', 'tsquery',
  'pg_lsn', 'xid8',
]);

/** A column's base type (its element type for arrays), as the catalog names it. */
export interface ColumnType {
  kind: string;
  schema: string;
  name: string;
}

/**
 * The settings a table's capture function must pin: only those that change how one of its
 * columns renders (each SET costs the trigger a little on every call). Enums render as their
 * label; composites, ranges, domains over them and types from extensions may contain anything,
 * so they pin all.
 */
export function settingsFor(types: ColumnType[]): SettingName[] {
  const needed = new Set<SettingName>();
  for (const t of types) {
    if (t.kind === 'e') continue;
    const builtIn = t.kind === 'b' && t.schema === 'pg_catalog';
    if (builtIn && INDEPENDENT.has(t.name)) continue;
    const some = builtIn ? DEPENDS[t.name] : undefined;
    for (const s of some ?? CANONICAL_SETTINGS.map(([name]) => name)) needed.add(s);
  }
  return CANONICAL_SETTINGS.map(([name]) => name).filter((name) => needed.has(name));
}
