// Pages of events, newest first, by keyset on id (stable under concurrent inserts; no OFFSET),
// and a capped count that never turns into a slow query.
import type { Queryable } from '../generator/introspect.ts';
import { raw, sql, val } from '../db/fragment.ts';
import { EVENT_JSON, type EventJson } from './columns.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { filterDigest, type EventFilter } from './filter.ts';
import { wherePredicate } from './predicate.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
export const COUNT_CAP = 10_000;

export interface PageRequest {
  limit?: number;
  cursor?: string;
  /** Signs cursors; keep it stable across restarts so API clients can keep paging. */
  secret: string;
  now?: Date;
}

export interface Page {
  events: EventJson[];
  next_cursor: string | null;
}

export async function listEvents(db: Queryable, filter: EventFilter, page: PageRequest): Promise<Page> {
  const limit = Math.min(Math.max(page.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
  const digest = filterDigest(filter);
  const after = page.cursor ? decodeCursor(page.cursor, digest, page.secret) : undefined;
  const where = wherePredicate(filter, page.now);
  const keyset = after ? sql` AND id < ${val(after, 'bigint')}` : sql``;
  // The alias must not be `id`: ORDER BY id would then sort the text, not the bigint.
  const query = sql`SELECT id::text AS key, ${rawJson()} AS event FROM audit.events WHERE ${where}${keyset} ORDER BY id DESC LIMIT ${val(limit + 1, 'integer')}`.toQuery();
  const { rows } = await db.query(query.text, query.values);
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  return {
    events: shown.map((r) => r.event as EventJson),
    next_cursor: more ? encodeCursor(shown[shown.length - 1].key, digest, page.secret) : null,
  };
}

export async function getEvent(db: Queryable, id: string): Promise<EventJson | null> {
  if (!/^\d{1,19}$/.test(id)) return null;
  const query = sql`SELECT ${rawJson()} AS event FROM audit.events WHERE id = ${val(id, 'bigint')}`.toQuery();
  const { rows } = await db.query(query.text, query.values);
  return rows[0]?.event ?? null;
}

export interface Count {
  count: number;
  /** True when there are more than COUNT_CAP matches (shown as "10,000+"). */
  capped: boolean;
}

export async function countEvents(db: Queryable, filter: EventFilter, now?: Date): Promise<Count> {
  const query = sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM audit.events WHERE ${wherePredicate(filter, now)} LIMIT ${val(COUNT_CAP + 1, 'integer')}) AS capped`.toQuery();
  const { rows } = await db.query(query.text, query.values);
  const n: number = rows[0].n;
  return n > COUNT_CAP ? { count: COUNT_CAP, capped: true } : { count: n, capped: false };
}

function rawJson() {
  return raw(EVENT_JSON);
}
