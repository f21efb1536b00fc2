// A record as it was: the row reconstructed from its events as of a chosen time (or just after
// one event), the difference between two points in time, the events around it, and whether the
// history is complete. No row is ever read from the application's table: everything comes from
// audit.events (row images) and the catalog (which columns the table has now).
//
// Reconstruction: inserts and updates record the full row after the change (new_data; an update's
// old_data holds only the changed columns' previous values), so the record as of T is the after-
// image of its newest row change at or before T — or nothing, after a delete or a TRUNCATE of the
// table. Every read is bounded (LIMIT), so a record with a very long history costs the same.
import type { Queryable } from '../../db/queryable.ts';
import { sql, val, type Fragment } from '../../db/fragment.ts';
import { UserError } from '../../db/errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { ExactValue } from '../exact-json.ts';
import { findAnchor, MAX_KEY_CHANGES, walkChain, type Chain } from './chain.ts';
import { describeColumns, type ColumnInfo } from './columns.ts';
import { diffImages, type FieldDiff } from './diff.ts';
import { chainSql, countCapped, cutSql, entitySql, inCut, readEvent, readEvents, readImage, type ChainEvent, type Cut } from './events.ts';
import { resolveTarget, type RecordTarget } from './target.ts';
import { isRowChange, ROW_CHANGES } from '../../generator/spec.ts';
import { fromDate, type AsOfTime } from './time.ts';

/** Events shown on each side of the point in time. */
export const TIMELINE_SIDE = 10;
/** Events between two points attributed to fields; beyond, the diff's values stay exact but `events_capped`. */
export const DIFF_EVENTS = 500;
/** A record's history is counted up to this many events (the list's match count has its own cap, COUNT_CAP in src/query/list.ts). */
export const HISTORY_COUNT_CAP = 10_000;

export interface AsOfRequest {
  targetType: string;
  targetId: string;
  /** Absent: now. */
  at?: AsOfTime;
  /** As of just after this event (wins over `at`). */
  eventId?: string;
  /** A second time: the difference between the two. */
  compare?: AsOfTime;
}

export interface RecordState {
  /** UTC, microseconds, `Z`: the time asked for, or the event's time. */
  as_of: string;
  /** Just after this event, when the point was given as an event. */
  after_event: string | null;
  /** false: not yet created, deleted, or truncated; null: unknown (the history does not reach back so far). */
  exists: boolean | null;
  /** The record's key at that point (it may have had others before or since). */
  target_id: string | null;
  /** The row as recorded; null when it did not exist or is unknown. */
  record: Record<string, ExactValue> | null;
  /** The newest row change at or before the point: its after-image is `record` (or it is the delete). */
  basis: ChainEvent | null;
  /** The delete, or the TRUNCATE of the table, that removed the record before the point. */
  removed_by: ChainEvent | null;
  /** The row as last recorded before it was removed. */
  last_record: Record<string, ExactValue> | null;
  columns: ColumnInfo[];
}

export type IncompleteKind = 'predates_auditing' | 'retention' | 'creation_not_recorded' | 'truncated' | 'key_changes_capped' | 'not_audited_now' | 'actions_not_captured';

export interface Incomplete {
  kind: IncompleteKind;
  message: string;
  event_id?: string;
}

export interface TimelineEntry extends ChainEvent {
  /** row: a change of the row; application: the application's own event about the record (entity); truncate: of the table. */
  kind: 'row' | 'application' | 'truncate';
  /** At or before the point in time. */
  within: boolean;
}

export interface AsOfResult {
  target_type: string;
  /** The key asked for. */
  target_id: string;
  /** The application type the table stands for, if declared. */
  entity: string | null;
  /** The record's label as of the point (recorded with its events), else the newest one recorded. */
  label: string | null;
  state: RecordState;
  compare: RecordState | null;
  /** Earlier point → later point, field by field; null without compare. */
  diff: { from: string; to: string; fields: FieldDiff[]; events: ChainEvent[]; events_capped: boolean } | null;
  complete: boolean;
  incomplete: Incomplete[];
  /** Keys the record had, oldest first. */
  keys: string[];
  first_event: ChainEvent | null;
  history: { count: number; capped: boolean };
  timeline: { events: TimelineEntry[]; earlier: boolean; later: boolean };
  /** Ids of the events the states and the diff were built from. */
  events_used: string[];
}

export class NoHistoryError extends UserError {}

/** `db`: a pool, or one connection outside a transaction; every read sees one snapshot. */
export function recordAsOf(db: Queryable, request: AsOfRequest, now: Date): Promise<AsOfResult> {
  return inTransaction(db, (client) => readAsOf(client, request, now), { begin: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' });
}

async function readAsOf(db: Queryable, request: AsOfRequest, now: Date): Promise<AsOfResult> {
  const target = await resolveTarget(db, request.targetType);
  const key = request.targetId;
  const { cut, anchor } = await anchorFor(db, target, key, request, now);
  if (!anchor) throw new NoHistoryError(`no row change of ${target.targetType} #${key} is recorded (it never existed while audited, or its events expired)`);

  const chain = await walkChain(db, target.targetType, anchor);
  const where = chainSql(target.targetType, chain.segments);
  const first = await readEvent(db, where, 'ASC');
  const state = await stateAt(db, target, chain, where, cut);
  const compare = request.compare ? await stateAt(db, target, chain, where, { kind: 'time', iso: request.compare.iso }) : null;
  const diff = compare ? await diffBetween(db, where, state, compare, target.columnsNow ?? []) : null;
  const incomplete = await incompleteness(db, target, chain, first, [state, ...(compare ? [compare] : [])]);
  const used = new Set<string>();
  for (const s of [state, compare]) for (const e of [s?.basis, s?.removed_by]) if (e) used.add(e.id);
  for (const e of diff?.events ?? []) used.add(e.id);
  return {
    target_type: target.targetType,
    target_id: key,
    entity: target.entity,
    label: state.basis?.target_label ?? anchor.target_label ?? null,
    state,
    compare,
    diff,
    complete: incomplete.length === 0,
    incomplete,
    keys: chain.segments.map((s) => s.key),
    first_event: first,
    history: await countCapped(db, where, HISTORY_COUNT_CAP),
    timeline: await timeline(db, target, chain, where, cut),
    events_used: [...used].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
  };
}

async function anchorFor(db: Queryable, target: RecordTarget, key: string, request: AsOfRequest, now: Date): Promise<{ cut: Cut; anchor: ChainEvent | null }> {
  if (request.eventId === undefined) {
    const cut: Cut = { kind: 'time', iso: (request.at ?? fromDate(now)).iso };
    return { cut, anchor: await findAnchor(db, target.targetType, key, cut) };
  }
  const cut: Cut = { kind: 'event', id: request.eventId };
  const event = await readEvent(db, sql`id = ${val(request.eventId, 'bigint')}`, 'ASC');
  if (!event) throw new NoHistoryError(`there is no event ${request.eventId}; it may have expired under the retention setting`);
  const rowChange = isRowChange(event.action);
  if (rowChange && event.target_type === target.targetType && (event.target_id === key || event.old_target_id === key)) return { cut, anchor: event };
  if (!rowChange && target.entity !== null && event.target_type === target.entity && event.target_id === key) {
    return { cut, anchor: await findAnchor(db, target.targetType, key, cut) };
  }
  throw new UserError(`event: event ${request.eventId} is about ${event.target_type}${event.target_id === null ? '' : ` #${event.target_id}`}, not ${target.targetType} #${key}`);
}

async function stateAt(db: Queryable, target: RecordTarget, chain: Chain, where: Fragment, cut: Cut): Promise<RecordState> {
  const basis = await readImage(db, sql`${where} AND ${cutSql(cut)}`);
  const cutEvent = cut.kind === 'event' ? await readEvent(db, sql`id = ${val(cut.id, 'bigint')}`, 'ASC') : null;
  const asOf = cut.kind === 'time' ? cut.iso : cutEvent!.occurred_at;
  const base = { as_of: asOf, after_event: cut.kind === 'event' ? cut.id : null, basis: basis && light(basis) };
  if (!basis) {
    // Before the record's first event: not yet created if that is its insert, else unknown.
    const exists = chain.start.kind === 'insert' ? false : null;
    return { ...base, exists, target_id: null, record: null, removed_by: null, last_record: null, columns: describeColumns(null, target) };
  }
  if (basis.action === 'delete') {
    return { ...base, exists: false, target_id: basis.target_id, record: null, removed_by: light(basis), last_record: basis.old_data, columns: describeColumns(basis.old_data, target) };
  }
  const truncate = chain.end.kind === 'truncate' && inCut(chain.end.event!, cut) ? chain.end.event! : null;
  if (truncate) {
    return { ...base, exists: false, target_id: basis.target_id, record: null, removed_by: truncate, last_record: basis.new_data, columns: describeColumns(basis.new_data, target) };
  }
  return { ...base, exists: true, target_id: basis.target_id, record: basis.new_data, removed_by: null, last_record: null, columns: describeColumns(basis.new_data, target) };
}

function light(e: ChainEvent): ChainEvent {
  const { id, occurred_at, tx_id, action, target_type, target_id, old_target_id, changed_fields, actor_display, target_label, verb } = e;
  return { id, occurred_at, tx_id, action, target_type, target_id, old_target_id, changed_fields, actor_display, target_label, verb };
}

async function diffBetween(db: Queryable, where: Fragment, a: RecordState, b: RecordState, order: string[]): Promise<NonNullable<AsOfResult['diff']>> {
  const [earlier, later] = a.as_of <= b.as_of ? [a, b] : [b, a];
  let events: ChainEvent[] = [];
  if (later.basis && earlier.basis?.id !== later.basis.id) {
    const bounds = sql`${where} AND id <= ${val(later.basis.id, 'bigint')}${earlier.basis ? sql` AND id > ${val(earlier.basis.id, 'bigint')}` : sql``}`;
    events = await readEvents(db, bounds, 'ASC', DIFF_EVENTS + 1);
  }
  const capped = events.length > DIFF_EVENTS;
  events = events.slice(0, DIFF_EVENTS);
  // A TRUNCATE between the two points removed the record without a row event of its own.
  if (later.removed_by?.action === 'truncate' && earlier.removed_by?.id !== later.removed_by.id) events.push(later.removed_by);
  return { from: earlier.as_of, to: later.as_of, fields: diffImages(earlier.record, later.record, events, order), events, events_capped: capped };
}

async function incompleteness(db: Queryable, target: RecordTarget, chain: Chain, first: ChainEvent | null, states: RecordState[]): Promise<Incomplete[]> {
  const out: Incomplete[] = [];
  const type = target.targetType;
  if (chain.start.kind === 'capped' || chain.end.kind === 'capped') {
    out.push({ kind: 'key_changes_capped', message: `the record's key changed more than ${MAX_KEY_CHANGES} times; only that many key changes were followed` });
  }
  if (first && first.action !== 'insert') {
    if (chain.start.kind === 'after_delete' || chain.start.kind === 'after_truncate') {
      const how = chain.start.kind === 'after_delete' ? `${type} #${chain.segments[0].key} was deleted` : `${type} was truncated`;
      out.push({ kind: 'creation_not_recorded', event_id: first.id,
        message: `${how} at ${chain.start.event!.occurred_at} (event ${chain.start.event!.id}) and the record's next event is an ${first.action}, not an insert: its creation was not recorded, so what it was before ${first.occurred_at} is unknown` });
    } else if (chain.start.kind === 'none') {
      const expired = await expiredBefore(db, first.occurred_at);
      out.push(expired
        ? { kind: 'retention', event_id: first.id, message: `retention dropped the events recorded before ${expired} and the record's oldest remaining event (${first.id}, ${first.action} at ${first.occurred_at}) is not its insert: its earlier history went with them` }
        : { kind: 'predates_auditing', event_id: first.id, message: `the record's first recorded event (${first.id}, ${first.action} at ${first.occurred_at}) is not an insert: the record existed before auditing began (or its insert was not recorded), so what it was before then is unknown` });
    }
  }
  for (const s of states) {
    if (s.removed_by?.action === 'truncate' && !out.some((o) => o.kind === 'truncated')) {
      out.push({ kind: 'truncated', event_id: s.removed_by.id, message: `${type} was truncated at ${s.removed_by.occurred_at} (event ${s.removed_by.id}): the record was removed with every other row, without a row event of its own` });
    }
  }
  if (target.audited === null) {
    out.push({ kind: 'not_audited_now', message: `${type} is no longer audited: changes made since capture was turned off are not in the history` });
  } else {
    const missing = ROW_CHANGES.filter((a) => !target.audited!.actions.includes(a));
    if (missing.length) out.push({ kind: 'actions_not_captured', message: `${type}'s capture does not record ${missing.map((a) => `${a}s`).join(' or ')}: such changes are missing from the history` });
  }
  return out;
}

/** The end of the newest range retention dropped that began before `at`, if any. */
async function expiredBefore(db: Queryable, at: string): Promise<string | null> {
  const { rows: [kept] } = await db.query(
    `SELECT to_char(max(range_to) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS upto FROM audit.expired_partitions WHERE range_from < $1::timestamptz`, [at]);
  // Drops recorded only as events (before audit.expired_partitions existed). Their metadata is
  // text anyone could log, so it is parsed here, never cast in SQL: a malformed one is ignored.
  const { rows } = await db.query(`SELECT metadata ->> 'range_from' AS range_from, metadata ->> 'range_to' AS range_to FROM audit.events WHERE action = 'audit.partition_dropped'`);
  let upto: string | null = kept.upto ?? null;
  const before = Date.parse(at);
  for (const r of rows) {
    const from = Date.parse(r.range_from ?? '');
    const to = Date.parse(r.range_to ?? '');
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= before) continue;
    const iso = new Date(to).toISOString().replace('Z', '000Z');
    if (upto === null || iso > upto) upto = iso;
  }
  return upto;
}

async function timeline(db: Queryable, target: RecordTarget, chain: Chain, where: Fragment, cut: Cut): Promise<AsOfResult['timeline']> {
  const before = sql`${where} AND ${cutSql(cut)}`;
  const after = sql`${where} AND NOT (${cutSql(cut)})`;
  const n = TIMELINE_SIDE + 1;
  // One after the other: the reads share one connection (the snapshot).
  const all: TimelineEntry[] = [];
  const add = async (where: Fragment, order: 'ASC' | 'DESC', kind: TimelineEntry['kind'], within: boolean) => {
    for (const e of await readEvents(db, where, order, n)) all.push({ ...e, kind, within });
  };
  await add(before, 'DESC', 'row', true);
  await add(after, 'ASC', 'row', false);
  if (target.entity) {
    const app = entitySql(target.entity, chain.segments);
    await add(sql`${app} AND ${cutSql(cut)}`, 'DESC', 'application', true);
    await add(sql`${app} AND NOT (${cutSql(cut)})`, 'ASC', 'application', false);
  }
  const end = chain.end.kind === 'truncate' ? chain.end.event! : null;
  if (end) all.push({ ...end, kind: 'truncate', within: inCut(end, cut) });
  const byId = (x: TimelineEntry, y: TimelineEntry) => (BigInt(x.id) < BigInt(y.id) ? -1 : 1);
  const earlierAll = all.filter((e) => e.within).sort(byId);
  const laterAll = all.filter((e) => !e.within).sort(byId);
  return {
    events: [...earlierAll.slice(-TIMELINE_SIDE), ...laterAll.slice(0, TIMELINE_SIDE)],
    earlier: earlierAll.length > TIMELINE_SIDE,
    later: laterAll.length > TIMELINE_SIDE,
  };
}
