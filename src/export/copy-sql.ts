// THE one function that turns a validated filter into COPY text. COPY takes no bind parameters, so
// this is the only place in pgtrail where filter values are inlined into SQL: every value goes
// through wherePredicate(…).toLiteral(), i.e. the driver's literal escaping plus an explicit cast
// (src/db/fragment.ts). Nothing else is interpolated: column lists and options are constants.
// test/export.test.ts feeds it hostile values for every filter and proves the exported rows are
// exactly those the parameterised listEvents returns. Given the request's plan, it inlines the
// plan's own predicate: the COPY matches what the list showed for the same plan.
import { EVENT_CSV_COLUMNS, EVENT_FIELDS, EVENT_JSON, type EventField } from '../query/columns.ts';
import type { EventFilter } from '../query/filter.ts';
import { isPlan, type QueryPlan } from '../query/plan.ts';
import { wherePredicate } from '../query/predicate.ts';

export type ExportFormat = 'csv' | 'jsonl';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'jsonl'];

export interface CopyOptions {
  format: ExportFormat;
  /** CSV only: leave cells that look like spreadsheet formulas as they are (for machines). */
  raw?: boolean;
  // Without a plan (a filter alone: tests and benchmarks that need no database), what wherePredicate needs:
  /** Resolves a relative `window`; pass the same instant that was recorded in the export event. */
  now?: Date;
  /** The predicate uses the free-text index's test (QueryPlan.usesSearchIndex). */
  searchIndex?: boolean;
  /** The target types naming the same records as filter.target_type (QueryPlan.sameTarget). */
  sameTarget?: string[];
}

/**
 * CSV cells a spreadsheet would evaluate: those starting with `=`, `+`, `-`, `@`, tab or CR
 * (OWASP "CSV injection"). Numbers and times (id, tx_id, occurred_at) cannot start with them, and
 * changed_fields is always a JSON array, so only free-text and JSON columns are guarded.
 */
const NEUTRALISED: ReadonlySet<EventField> = new Set<EventField>([
  'action', 'target_type', 'target_id', 'actor_type', 'actor_id', 'actor_name', 'ip', 'user_agent',
  'request_id', 'db_user', 'app_name', 'old_data', 'new_data', 'metadata', 'actor_display', 'target_label', 'verb',
]);
// ascii() of the first character is cheaper than a regular expression on every cell of every row:
// 61 '=', 43 '+', 45 '-', 64 '@', 9 tab, 13 CR. NULL stays NULL (ascii(NULL) is NULL).
const FORMULA_START = '(61, 43, 45, 64, 9, 13)';

function neutralised(field: EventField): string {
  return NEUTRALISED.has(field) ? `CASE WHEN ascii(e.${field}) IN ${FORMULA_START} THEN '''' || e.${field} ELSE e.${field} END AS ${field}` : `e.${field}`;
}

/**
 * `COPY (SELECT … ORDER BY id DESC) TO STDOUT …`: newest first, like the console table and the API.
 * One statement, so one snapshot: rows committed during a long export are not half-included.
 *
 * csv   — header row, columns in EVENT_FIELDS order (EVENT_CSV_COLUMNS), RFC 4180 quoting by COPY.
 * jsonl — one EVENT_JSON object per line, the API's fields. COPY's text format would double every
 *         backslash, so the line goes out through CSV format with a quote (\x01) and delimiter (\x02)
 *         that JSON text can never contain raw (JSON escapes every control character as \u00XX, and
 *         newlines too): CSV quotes a value only if it holds the quote, the delimiter, CR or LF, or
 *         is empty — none of which a JSON object's text can be — so each line is the JSON verbatim.
 */
export function buildCopySql(query: QueryPlan | EventFilter, options: CopyOptions): string {
  const predicate = isPlan(query) ? query.where : wherePredicate(query, options.now, { searchIndex: options.searchIndex, sameTarget: options.sameTarget });
  const where = predicate.toLiteral();
  if (options.format === 'jsonl') {
    return `COPY (SELECT (${EVENT_JSON})::text FROM audit.events WHERE ${where} ORDER BY id DESC) ` +
      `TO STDOUT WITH (FORMAT csv, HEADER false, QUOTE E'\\x01', DELIMITER E'\\x02')`;
  }
  // The inner select is EVENT_CSV_COLUMNS as the API documents them; the outer one only guards
  // cells. The planner flattens the subquery, so this is the same scan as a plain SELECT.
  const outer = options.raw ? EVENT_FIELDS.map((f) => `e.${f}`).join(', ') : EVENT_FIELDS.map(neutralised).join(', ');
  return `COPY (SELECT ${outer} FROM (SELECT ${EVENT_CSV_COLUMNS} FROM audit.events WHERE ${where}) AS e ORDER BY e.id DESC) ` +
    `TO STDOUT WITH (FORMAT csv, HEADER true)`;
}
