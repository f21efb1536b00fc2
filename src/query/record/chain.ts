// One record's events, followed across key changes. target_id is the key the row had when the
// event was written: an update that changes the key is recorded under the new key, with the old
// one in metadata.old_target_id (src/generator/render.ts, keyNoteOf). So a record is a chain of
// key segments: walking back from an event, a key change into the key continues under the old
// key; walking forward, an update whose old_target_id is the key continues under its new key.
// A segment ends at an insert (the record's creation), or at a delete or TRUNCATE of that key
// before it (an earlier record with the same key). Keys identify one row at a time (a primary
// key, or the `key` option, which must then be unique for this to hold).
import { sql, val } from '../../db/fragment.ts';
import type { Queryable } from '../../db/queryable.ts';
import { cutSql, readEvent, type ChainEvent, type Cut, type Segment } from './events.ts';
import { ROW_CHANGES } from '../../generator/spec.ts';

/** Key changes followed in each direction; a record renamed more often says so (start/end 'capped'). */
export const MAX_KEY_CHANGES = 50;

export interface Chain {
  /** Ascending: the oldest key first. */
  segments: Segment[];
  /**
   * How the history begins: with the insert, or with nothing older recorded under the first key
   * ('none'), or right after a delete / TRUNCATE of that key ('after_delete' / 'after_truncate':
   * the record's creation was not recorded), or not followed further ('capped').
   */
  start: { kind: 'insert' | 'none' | 'after_delete' | 'after_truncate' | 'capped'; event?: ChainEvent };
  /** How it ends: still there ('open'), deleted, removed by a TRUNCATE of the table, or not followed further. */
  end: { kind: 'open' | 'delete' | 'truncate' | 'capped'; event?: ChainEvent };
  /** The key changes, oldest first (each an update recorded under the new key). */
  keyChanges: ChainEvent[];
}

const rowChange = sql`action = ANY(${val([...ROW_CHANGES], 'text[]')})`;

/**
 * The event the chain is built around: the record's newest row change under `key` within the
 * cut, else its oldest one after it (a record that got this key later); null: no history.
 */
export async function findAnchor(db: Queryable, targetType: string, key: string, cut: Cut): Promise<ChainEvent | null> {
  const mine = sql`target_type = ${val(targetType, 'text')} AND target_id = ${val(key, 'text')} AND ${rowChange}`;
  return (await readEvent(db, sql`${mine} AND ${cutSql(cut)}`, 'DESC')) ?? readEvent(db, mine, 'ASC');
}

export async function walkChain(db: Queryable, targetType: string, anchor: ChainEvent): Promise<Chain> {
  const type = sql`target_type = ${val(targetType, 'text')}`;
  const segments: Segment[] = [];
  const keyChanges: ChainEvent[] = [];

  // Back from the anchor: the newest boundary at or below `upper` under `key`.
  let key = anchor.target_id!;
  let upper = BigInt(anchor.id);
  let start: Chain['start'] = { kind: 'capped' };
  for (let changes = 0; changes <= MAX_KEY_CHANGES; changes++) {
    const below = val(upper.toString(), 'bigint');
    const boundary = await readEvent(db, sql`${type} AND id <= ${below} AND (
        (target_id = ${val(key, 'text')} AND (action = 'insert' OR (action = 'update' AND metadata ? 'old_target_id') OR (action = 'delete' AND id < ${below})))
        OR (target_id IS NULL AND action = 'truncate' AND id < ${below}))`, 'DESC');
    if (!boundary) {
      segments.unshift({ key, to: upper.toString() });
      start = { kind: 'none' };
      break;
    }
    if (boundary.action === 'insert') {
      segments.unshift({ key, from: boundary.id, to: upper.toString() });
      start = { kind: 'insert', event: boundary };
      break;
    }
    if (boundary.action === 'update') {
      segments.unshift({ key, from: boundary.id, to: upper.toString() });
      keyChanges.unshift(boundary);
      key = boundary.old_target_id!;
      upper = BigInt(boundary.id) - 1n;
      continue;
    }
    segments.unshift({ key, from: (BigInt(boundary.id) + 1n).toString(), to: upper.toString() });
    start = { kind: boundary.action === 'delete' ? 'after_delete' : 'after_truncate', event: boundary };
    break;
  }

  // Forward from the anchor: the next delete or TRUNCATE ends the key; an earlier key change moves it.
  let current = segments[segments.length - 1];
  if (anchor.action === 'delete') return { segments, start, end: { kind: 'delete', event: anchor }, keyChanges };
  current.to = undefined;
  key = anchor.target_id!;
  let lower = val(anchor.id, 'bigint');
  let end: Chain['end'] = { kind: 'capped' };
  for (let changes = 0; ; changes++) {
    const mine = sql`${type} AND target_id = ${val(key, 'text')} AND id > ${lower}`;
    const finish = await readEvent(db, sql`${type} AND id > ${lower} AND (
        (target_id = ${val(key, 'text')} AND action = 'delete') OR (target_id IS NULL AND action = 'truncate'))`, 'ASC');
    // Another row taking the key (an insert, or a key change into it) means this one had left it.
    const taken = await readEvent(db, sql`${mine} AND (action = 'insert' OR (action = 'update' AND metadata ? 'old_target_id'))`, 'ASC');
    const bound = [finish, taken].filter((e) => e !== null).sort((x, y) => (BigInt(x!.id) < BigInt(y!.id) ? -1 : 1))[0] ?? null;
    const before = bound ? sql` AND id < ${val(bound.id, 'bigint')}` : sql``;
    // A key change out of the key comes after the row's last event under it: from there on, the
    // table's events are scanned for it (not indexed), up to the bound.
    const last = await readEvent(db, sql`${mine}${before}`, 'DESC');
    const from = last ? val(last.id, 'bigint') : lower;
    const moved = await readEvent(db, sql`${type} AND id > ${from}${before}
        AND action = 'update' AND metadata ->> 'old_target_id' = ${val(key, 'text')}`, 'ASC');
    if (moved) {
      current.to = (BigInt(moved.id) - 1n).toString();
      if (changes === MAX_KEY_CHANGES) break;
      keyChanges.push(moved);
      key = moved.target_id!;
      current = { key, from: moved.id };
      segments.push(current);
      lower = val(moved.id, 'bigint');
      continue;
    }
    if (bound && bound === finish) {
      current.to = finish.id;
      end = { kind: finish.action === 'delete' ? 'delete' : 'truncate', event: finish };
    } else {
      // Still there, or gone without a recorded delete before another row took the key.
      if (bound) current.to = (BigInt(bound.id) - 1n).toString();
      end = { kind: 'open' };
    }
    break;
  }
  return { segments, start, end, keyChanges };
}
