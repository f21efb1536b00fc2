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
