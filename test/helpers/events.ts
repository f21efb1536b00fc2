// Reading back what the triggers recorded.
import type pg from 'pg';
import type { EventJson } from '../../src/query/columns.ts';

/** A row of audit.events as pg returns it: the API's fields, with bigint as text and a Date. */
export type EventRow = Omit<EventJson, 'id' | 'occurred_at' | 'tx_id'> & { id: string; occurred_at: Date; tx_id: string };

/** Events for one target type (e.g. 'public.contacts'), in recording order. */
export async function eventsFor(db: pg.Pool | pg.ClientBase, targetType: string): Promise<EventRow[]> {
  const { rows } = await db.query('SELECT * FROM audit.events WHERE target_type = $1 ORDER BY id', [targetType]);
  return rows;
}

export async function countEvents(db: pg.Pool | pg.ClientBase): Promise<number> {
  const { rows } = await db.query('SELECT count(*)::int AS n FROM audit.events');
  return rows[0].n;
}
