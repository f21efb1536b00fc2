// Recording a console account event (auth.* / user.*) on a console user, through audit.log_event,
// inside the caller's transaction: its audit context says who acted, from which IP and user agent.
import type pg from 'pg';

export async function logUserEvent(client: pg.ClientBase, action: string, userId: string | null, metadata: Record<string, unknown>): Promise<void> {
  await client.query(`SELECT audit.log_event($1, 'console.user', $2, $3::jsonb)`, [action, userId, JSON.stringify(metadata)]);
}
