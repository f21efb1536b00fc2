// Has the row changed since the event? Two witnesses: later events of the same record (from the
// audit trail) and the row as it is now compared with what the event left (from the table, which
// only a role that may read it can see). Also reads what a plan is made from.
import { CANONICAL_SETTINGS } from '../generator/canonical.ts';
import type { Queryable } from '../db/queryable.ts';
import { EVENT_JSON, parseEvent, type EventJson } from '../query/columns.ts';
import { ROW_CHANGES } from '../generator/spec.ts';
import { parseExact, stringifyExact, type ExactValue } from '../query/exact-json.ts';
import { REDACTED } from '../generator/markers.ts';
import type { Step } from './plan.ts';
import { rowNowStatement } from './sql.ts';
import { loadTable, type RevertTable } from './table.ts';

export type Image = Record<string, ExactValue>;
export type Selector = { kind: 'event'; id: string } | { kind: 'tx'; id: string };

/** The event, or the transaction's events newest first (the order a revert undoes them), at most `limit`. */
export async function loadEvents(db: Queryable, selector: Selector, limit: number): Promise<EventJson[]> {
  const where = selector.kind === 'event' ? 'id = $1::bigint' : 'tx_id = $1::bigint';
  const { rows } = await db.query(`SELECT ${EVENT_JSON}::text AS e FROM audit.events WHERE ${where} ORDER BY id DESC LIMIT $2`, [selector.id, limit]);
  return rows.map((r) => parseEvent(r.e));
}

export async function loadTables(db: Queryable, events: EventJson[]): Promise<Map<string, RevertTable | null>> {
  const tables = new Map<string, RevertTable | null>();
  for (const e of events) if (!tables.has(e.target_type)) tables.set(e.target_type, await loadTable(db, e.target_type));
  return tables;
}

/**
 * Row changes of the step's record recorded after its event, outside the transaction being
 * reverted. By (target_type, target_id) only, which the record-history index serves: a later key
 * change filed under the new key is not listed here, and the row check finds the row gone instead.
 */
export async function laterEvents(db: Queryable, step: Step, excludeTx?: number): Promise<EventJson[]> {
  const { rows } = await db.query(
    `SELECT ${EVENT_JSON}::text AS e FROM audit.events
      WHERE target_type = $1 AND target_id = $2 AND id > $3::bigint
        AND action = ANY($5::text[]) AND ($4::bigint IS NULL OR tx_id <> $4::bigint)
      ORDER BY id LIMIT 20`,
    [step.event.target_type, step.event.target_id, String(step.event.id), excludeTx === undefined ? null : String(excludeTx), ROW_CHANGES]);
  return rows.map((r) => parseEvent(r.e));
}

/** Renders values as the capture functions do (src/generator/canonical.ts), for this transaction. */
export async function pinCanonicalSettings(client: Queryable): Promise<void> {
  await client.query('SELECT pg_catalog.set_config(s.name, s.value, true) FROM unnest($1::text[], $2::text[]) AS s(name, value)',
    [CANONICAL_SETTINGS.map(([n]) => n), CANONICAL_SETTINGS.map(([, v]) => v)]);
}

export interface RowNow {
  /** The row now (excluded columns left out, redacted ones masked, as the trail shows them), or null: no row with this key. */
  row: Image | null;
  /** Columns whose value differs from what the event left (undo-update and remove only). */
  differs: string[];
}

/** Reads the step's row by its key; `lock` takes FOR UPDATE (inside the revert's transaction). */
export async function readRow(client: Queryable, step: Step, lock: boolean): Promise<RowNow> {
  const compared = step.expected?.compared ?? [];
  // The expected image goes as exact JSON text (bigints and numerics digit for digit).
  const expected = stringifyExact(Object.fromEntries(compared.map((c) => [c, step.expected!.image[c]])));
  const q = rowNowStatement(step.table, step.table.keyColumns, compared, step.key, expected, lock);
  const { rows } = await client.query(q.text, q.values);
  if (rows.length === 0) return { row: null, differs: [] };
  const flags: boolean[] = rows[0].differs;
  return { row: masked(step.table, parseExact(rows[0].row) as Image), differs: compared.filter((_, i) => flags[i]) };
}

/** What the console may show of a row read from the table: what the trail itself would record. */
function masked(table: RevertTable, row: Image): Image {
  const out: Image = {};
  for (const [k, v] of Object.entries(row)) {
    if (table.exclude.includes(k)) continue;
    out[k] = table.redact.includes(k) && v !== null ? REDACTED : v;
  }
  return out;
}

export interface RowVerdict {
  /** Cannot be overridden: the row is gone, or a row holds the key a re-insert needs. */
  blocked?: string;
  /** May be overridden: the row differs from what the event left. */
  changed?: string;
}

export function judgeRow(step: Step, now: RowNow): RowVerdict {
  const where = `${step.table.name} (${step.keyText})`;
  if (step.kind === 'recreate') {
    return now.row ? { blocked: `a row with the key of event #${step.event.id} exists in ${where} now, so it cannot be re-created` } : {};
  }
  if (!now.row) return { blocked: `the row of event #${step.event.id} does not exist any more in ${where}` };
  if (now.differs.length > 0) {
    return { changed: `the row ${where} changed since event #${step.event.id}: ${now.differs.map((c) => `"${c}"`).join(', ')} differ${now.differs.length === 1 ? 's' : ''} from what it left` };
  }
  return {};
}
