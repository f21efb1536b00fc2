// The reads "as of" makes over audit.events, each bounded by a LIMIT: a record's events are
// addressed as a chain of key segments (chain.ts), never loaded whole.
import { join, raw, sql, val, type Fragment } from '../../db/fragment.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ACTOR_DISPLAY, OCCURRED_AT_UTC } from '../columns.ts';
import { parseExact, type ExactValue } from '../exact-json.ts';
import { ACTIONS, ROW_CHANGES } from '../../generator/spec.ts';

/** What the timeline and the chain walk need of an event (no row images). */
export interface ChainEvent {
  id: string;
  /** UTC with microseconds and `Z`, the same text form as AsOfTime.iso (so the two compare as text). */
  occurred_at: string;
  tx_id: string;
  action: string;
  target_type: string;
  target_id: string | null;
  /** An update that changed the key: the key before it (metadata.old_target_id, template v1/v2). */
  old_target_id: string | null;
  changed_fields: string[] | null;
  actor_display: string;
  /** The record's label when the event was written (the table's label expression; migration 0012). */
  target_label: string | null;
  /** The domain verb of an update (verb rules), or null. */
  verb: string | null;
}

/** A chain event with its row images, parsed with numbers kept exact. */
export interface ImageEvent extends ChainEvent {
  old_data: Record<string, ExactValue> | null;
  new_data: Record<string, ExactValue> | null;
}

// Ids as text: bigints, compared and carried exactly.
const LIGHT_FIELDS = `'id', id::text, 'occurred_at', ${OCCURRED_AT_UTC}, 'tx_id', tx_id::text, 'action', action,
  'target_type', target_type, 'target_id', target_id, 'old_target_id', metadata ->> 'old_target_id',
  'changed_fields', changed_fields, 'actor_display', ${ACTOR_DISPLAY}, 'target_label', target_label, 'verb', verb`;
const LIGHT = raw(`json_build_object(${LIGHT_FIELDS})::text`);
const IMAGES = raw(`json_build_object(${LIGHT_FIELDS}, 'old_data', old_data, 'new_data', new_data)::text`);

/** One key of the record over a range of event ids (inclusive; open where absent). */
export interface Segment {
  key: string;
  from?: string;
  to?: string;
}

/** Where "as of" cuts the history: at a time (occurred_at <= iso) or just after an event (id <= id). */
export type Cut = { kind: 'time'; iso: string } | { kind: 'event'; id: string };

export function cutSql(cut: Cut): Fragment {
  return cut.kind === 'time' ? sql`occurred_at <= ${val(cut.iso, 'timestamptz')}` : sql`id <= ${val(cut.id, 'bigint')}`;
}

export function inCut(e: Pick<ChainEvent, 'id' | 'occurred_at'>, cut: Cut): boolean {
  return cut.kind === 'time' ? e.occurred_at <= cut.iso : BigInt(e.id) <= BigInt(cut.id);
}

/** The row changes of the record: its key segments, each within its id range. */
export function chainSql(targetType: string, segments: Segment[]): Fragment {
  return keyedSql(targetType, segments, sql`action = ANY(${val([...ROW_CHANGES], 'text[]')})`);
}

/** The application's own events about the record (log_event with the table's entity type and its key). */
export function entitySql(entity: string, segments: Segment[]): Fragment {
  return keyedSql(entity, segments, sql`action <> ALL(${val([...ACTIONS], 'text[]')})`);
}

function keyedSql(targetType: string, segments: Segment[], actions: Fragment): Fragment {
  const ranges = segments.map((s) => {
    const parts = [sql`target_id = ${val(s.key, 'text')}`];
    if (s.from !== undefined) parts.push(sql`id >= ${val(s.from, 'bigint')}`);
    if (s.to !== undefined) parts.push(sql`id <= ${val(s.to, 'bigint')}`);
    return sql`(${join(parts, ' AND ')})`;
  });
  return sql`target_type = ${val(targetType, 'text')} AND ${actions} AND (${join(ranges, ' OR ')})`;
}

async function read<T>(db: Queryable, what: Fragment, where: Fragment, order: 'ASC' | 'DESC', limit: number): Promise<T[]> {
  const q = sql`SELECT ${what} AS e FROM audit.events WHERE ${where} ORDER BY id ${raw(order)} LIMIT ${val(limit, 'integer')}`.toQuery();
  const { rows } = await db.query(q.text, q.values);
  return rows.map((r) => parseExact(r.e) as unknown as T);
}

export function readEvents(db: Queryable, where: Fragment, order: 'ASC' | 'DESC', limit: number): Promise<ChainEvent[]> {
  return read<ChainEvent>(db, LIGHT, where, order, limit);
}

export async function readEvent(db: Queryable, where: Fragment, order: 'ASC' | 'DESC'): Promise<ChainEvent | null> {
  return (await readEvents(db, where, order, 1))[0] ?? null;
}

/** The newest event matching, with its row images. */
export async function readImage(db: Queryable, where: Fragment): Promise<ImageEvent | null> {
  return (await read<ImageEvent>(db, IMAGES, where, 'DESC', 1))[0] ?? null;
}

/** How many events match, counting no further than `cap` + 1. */
export async function countCapped(db: Queryable, where: Fragment, cap: number): Promise<{ count: number; capped: boolean }> {
  const q = sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM audit.events WHERE ${where} LIMIT ${val(cap + 1, 'integer')}) AS c`.toQuery();
  const n: number = (await db.query(q.text, q.values)).rows[0].n;
  return n > cap ? { count: cap, capped: true } : { count: n, capped: false };
}
