// From an event (or a whole transaction) to the statements that put it back, or the reason it
// cannot be. Pure: the table as it is now comes from table.ts, the row as it is now from check.ts.
//   update → set the changed columns back (old_data holds only their previous values: see the top
//            comment of sql/templates/trigger.v2.sql), in the row found by the after-image's key;
//   delete → insert the recorded row image again;
//   insert → delete the row, found by its key.
import type { EventJson } from '../query/columns.ts';
import { stringifyExact, type ExactValue } from '../query/exact-json.ts';
import { isOversized, REDACTED } from '../generator/markers.ts';
import { isRowChange } from '../generator/spec.ts';
import { deleteStatement, insertStatement, updateStatement, type Statement } from './sql.ts';
import type { RevertTable } from './table.ts';

export type StepKind = 'undo-update' | 'recreate' | 'remove';
type Image = Record<string, ExactValue>;

export interface Step {
  event: EventJson;
  kind: StepKind;
  table: RevertTable;
  statement: Statement;
  /** The key of the row now (jsonb text), as rowNowStatement takes it. */
  key: string;
  keyText: string;
  /** The values the revert writes: the previous values of the changed columns, or the whole row. */
  sets: Image;
  /** undo-update and remove: the row as the event left it, and the columns worth comparing with the row now. */
  expected?: { image: Image; compared: string[] };
  /** recreate: columns the image does not hold (excluded, or added since), left to their default. */
  defaulted: string[];
}

export interface Refusal {
  eventId: number;
  reason: string;
}

/** Why a recorded value cannot be written back, or null when it can. */
function unrecorded(column: string, value: ExactValue): string | null {
  if (isOversized(value)) {
    const bytes = (value as Record<string, unknown>).bytes;
    return `the value of "${column}" was larger than the capture's size cap${bytes ? ` (${String(bytes)} bytes)` : ''} and was recorded as its size and md5 only`;
  }
  // Also when the table is no longer redacted: the mask is what the event holds either way.
  if (value === REDACTED) return `"${column}" is recorded as ${REDACTED}, so its value is unknown`;
  return null;
}

/** The columns of an image whose recorded values can be compared with the row now. */
function comparable(table: RevertTable, image: Image, keep: Set<string>): string[] {
  const ignored = new Set(table.ignore);
  return Object.keys(image).filter((c) =>
    unrecorded(c, image[c]) === null && (!ignored.has(c) || keep.has(c)));
}

function pick(image: Image, columns: string[]): Image {
  return Object.fromEntries(columns.map((c) => [c, image[c]]));
}

/** The statement that reverts one row-change event, or why it cannot be written. */
function planEvent(event: EventJson, table: RevertTable | null): Step | Refusal {
  const refuse = (reason: string): Refusal => ({ eventId: event.id, reason });
  if (event.action === 'truncate') return refuse(`event #${event.id} is a truncate of ${event.target_type}: it records no rows, so there is nothing to put back`);
  if (!isRowChange(event.action)) return refuse(`event #${event.id} (${event.action}) is not a row change: only insert, update and delete events can be reverted`);
  if (!table) return refuse(`${event.target_type} is not audited any more, so a revert could not be recorded: enable auditing on it again first`);
  if (table.columns.length === 0) return refuse(`${event.target_type} no longer exists`);
  const performs = event.action === 'delete' ? 'insert' : event.action === 'insert' ? 'delete' : 'update';
  if (!table.actions.includes(performs)) return refuse(`${event.target_type}'s capture does not record ${performs}s (--actions), so the revert (an ${performs === 'update' ? 'update' : performs}) would not be recorded`);
  if (table.captureOff.length) return refuse(`capture is off on ${event.target_type} (${table.captureOff.join(', ')}), so the revert would not be recorded: run \`pgtrail enable ${event.target_type}\` first`);
  if (event.target_id === null || table.keyColumns.length === 0) return refuse(`${event.target_type} has no key, so the row of event #${event.id} cannot be found`);

  const now = new Map(table.columns.map((c) => [c.name, c]));
  const before = (event.old_data ?? {}) as Image;
  const after = (event.new_data ?? {}) as Image;
  const image = event.action === 'delete' ? before : event.action === 'insert' ? after : { ...after, ...before };
  const gone = Object.keys(image).filter((c) => !now.has(c));
  if (gone.length > 0) return refuse(`the columns of ${table.name} changed since event #${event.id}: ${gone.map((c) => `"${c}"`).join(', ')} no longer exist${gone.length === 1 ? 's' : ''}`);

  const keyImage = event.action === 'delete' ? before : after;
  const missingKey = table.keyColumns.filter((k) => !(k in keyImage));
  if (missingKey.length > 0) return refuse(`event #${event.id} does not hold the key column(s) ${missingKey.join(', ')} of ${table.name}`);
  const keyValues = pick(keyImage, table.keyColumns);
  const key = stringifyExact(keyValues);
  const keyText = table.keyColumns.map((k) => `${k} = ${stringifyExact(keyValues[k])}`).join(', ');
  const base = { event, table, key, keyText, defaulted: [] as string[] };
  const written = (c: string) => !now.get(c)!.generated;

  if (event.action === 'update') {
    const columns = (event.changed_fields ?? []).filter((c) => c in before && written(c));
    if (columns.length === 0) return refuse(`event #${event.id} changed no column that a revert could write back`);
    for (const c of columns) {
      const why = unrecorded(c, before[c]);
      if (why) return refuse(`cannot undo event #${event.id}: ${why}`);
    }
    const sets = pick(before, columns);
    return {
      ...base, kind: 'undo-update', sets,
      statement: updateStatement(table, table.keyColumns, columns, stringifyExact(sets), key),
      expected: { image: after, compared: comparable(table, after, new Set(columns)) },
    };
  }
  if (event.action === 'insert') {
    return {
      ...base, kind: 'remove', sets: {},
      statement: deleteStatement(table, table.keyColumns, key),
      expected: { image: after, compared: comparable(table, after, new Set()) },
    };
  }
  // delete: the whole row again.
  const columns = Object.keys(before).filter(written);
  for (const c of columns) {
    const why = unrecorded(c, before[c]);
    if (why) return refuse(`cannot re-create the row of event #${event.id}: ${why}`);
  }
  const defaulted: string[] = [];
  for (const c of table.columns) {
    if (c.name in before || c.generated) continue;
    const why = table.exclude.includes(c.name) ? 'is excluded from auditing, so its value was never recorded' : 'was added since the event';
    if (c.notNull && !c.hasDefault) return refuse(`cannot re-create the row of event #${event.id}: column "${c.name}" ${why}, and it is NOT NULL without a default`);
    defaulted.push(c.name);
  }
  const sets = pick(before, columns);
  const overriding = columns.some((c) => now.get(c)!.identityAlways);
  return { ...base, kind: 'recreate', sets, defaulted, statement: insertStatement(table, columns, overriding, stringifyExact(sets)) };
}

/** What a revert of one event or one transaction consists of. */
export interface Plan {
  /** In the order they run: a transaction's row events newest first. */
  steps: Step[];
  refusals: Refusal[];
  /** Events of the transaction that are not row changes (application events): left as they are. */
  skipped: EventJson[];
}

/**
 * `events` newest first. One event: it must be a row change. A transaction: its application
 * events are skipped (they changed no row), anything else that cannot be reverted refuses the whole.
 */
export function planEvents(events: EventJson[], tables: Map<string, RevertTable | null>, whole: boolean): Plan {
  const plan: Plan = { steps: [], refusals: [], skipped: [] };
  for (const e of events) {
    if (whole && !isRowChange(e.action) && e.action !== 'truncate') {
      plan.skipped.push(e);
      continue;
    }
    const planned = planEvent(e, tables.get(e.target_type) ?? null);
    if ('statement' in planned) plan.steps.push(planned);
    else plan.refusals.push(planned);
  }
  return plan;
}
