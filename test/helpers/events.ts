// Reading back what the triggers recorded.
import type pg from 'pg';

export interface EventRow {
  id: string;
  occurred_at: Date;
  tx_id: string;
  action: string;
  target_type: string;
  target_id: string | null;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  db_user: string;
  app_name: string | null;
  old_data: Record<string, unknown> | null;
  new_data: Record<string, unknown> | null;
  changed_fields: string[] | null;
  metadata: Record<string, unknown> | null;
}

/** Events for one target type (e.g. 'public.contacts'), in recording order. */
export async function eventsFor(db: pg.Pool | pg.ClientBase, targetType: string): Promise<EventRow[]> {
  const { rows } = await db.query('SELECT * FROM audit.events WHERE target_type = $1 ORDER BY id', [targetType]);
  return rows;
}

export async function countEvents(db: pg.Pool | pg.ClientBase): Promise<number> {
  const { rows } = await db.query('SELECT count(*)::int AS n FROM audit.events');
  return rows[0].n;
}
