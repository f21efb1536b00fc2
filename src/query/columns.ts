// How an event leaves the database, in the event record's field order (README, "The event record"). The JSON API and JSON Lines
// export both send EVENT_JSON's text as PostgreSQL writes it (so they are identical byte for byte,
// numbers in row images digit for digit); CSV uses EVENT_CSV_COLUMNS. The console parses the same
// text with parseEvent. Times are UTC, ISO 8601 with `Z`, microseconds kept.
import { parseExact } from './exact-json.ts';

export const EVENT_FIELDS = [
  'id', 'occurred_at', 'tx_id', 'action', 'target_type', 'target_id', 'actor_type', 'actor_id', 'actor_name',
  'ip', 'user_agent', 'request_id', 'db_user', 'app_name', 'old_data', 'new_data', 'changed_fields', 'metadata',
  'actor_display', 'target_label', 'verb',
] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

export const OCCURRED_AT_UTC = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * `actor_display`, the one definition of who an event is shown as (console, API, both exports):
 * the application's actor (actor_name, else actor_id); without one, or for the database-role
 * fallback (audit.current_context), the database role and its application: `postgres (psql)`.
 */
export const ACTOR_DISPLAY = `CASE WHEN actor_type <> 'db_role' AND coalesce(actor_name, actor_id) IS NOT NULL
  THEN coalesce(actor_name, actor_id)
  ELSE coalesce(actor_name, actor_id, db_user) || coalesce(' (' || nullif(app_name, '') || ')', '') END`;

/** id and tx_id are JSON numbers (both stay far below 2^53); ip is text without a /32 suffix. */
export const EVENT_JSON = `json_build_object(
  'id', id, 'occurred_at', ${OCCURRED_AT_UTC}, 'tx_id', tx_id, 'action', action,
  'target_type', target_type, 'target_id', target_id, 'actor_type', actor_type, 'actor_id', actor_id,
  'actor_name', actor_name, 'ip', host(ip), 'user_agent', user_agent, 'request_id', request_id,
  'db_user', db_user, 'app_name', app_name, 'old_data', old_data, 'new_data', new_data,
  'changed_fields', changed_fields, 'metadata', metadata, 'actor_display', ${ACTOR_DISPLAY},
  'target_label', target_label, 'verb', verb)`;

/** Select list for CSV: one column per field, JSON columns as JSON text, arrays as JSON arrays. */
export const EVENT_CSV_COLUMNS = EVENT_FIELDS.map((f) => {
  switch (f) {
    case 'occurred_at': return `${OCCURRED_AT_UTC} AS occurred_at`;
    case 'ip': return 'host(ip) AS ip';
    case 'old_data': case 'new_data': case 'metadata': return `${f}::text AS ${f}`;
    case 'changed_fields': return 'to_json(changed_fields)::text AS changed_fields';
    case 'actor_display': return `${ACTOR_DISPLAY} AS actor_display`;
    default: return f;
  }
}).join(', ');

/**
 * An event as the API returns it (EVENT_JSON), parsed by parseEvent: in old_data, new_data and
 * metadata a number JavaScript would round is an ExactNumber (src/query/exact-json.ts).
 */
export interface EventJson {
  id: number;
  occurred_at: string;
  tx_id: number;
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
  /** Derived (ACTOR_DISPLAY): who the event is shown as. */
  actor_display: string;
  /** The record's label when the change was recorded (the table's label expression, or audit.log_event's label). */
  target_label: string | null;
  /** For an update of a table with verb rules: the rule that matched (send, pause …). */
  verb: string | null;
}

/** EVENT_JSON's text as PostgreSQL wrote it → an EventJson, numbers kept exact. */
export function parseEvent(text: string): EventJson {
  return parseExact(text) as unknown as EventJson;
}
