// How an event leaves the database, in DESIGN.md's field order. The JSON API and JSON Lines
// export both use EVENT_JSON (so they are identical byte for byte); CSV uses EVENT_CSV_COLUMNS.
// Times are UTC, ISO 8601 with `Z`, microseconds kept.

export const EVENT_FIELDS = [
  'id', 'occurred_at', 'tx_id', 'action', 'target_type', 'target_id', 'actor_type', 'actor_id', 'actor_name',
  'ip', 'user_agent', 'request_id', 'db_user', 'app_name', 'old_data', 'new_data', 'changed_fields', 'metadata',
] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

export const OCCURRED_AT_UTC = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** id and tx_id are JSON numbers (both stay far below 2^53); ip is text without a /32 suffix. */
export const EVENT_JSON = `json_build_object(
  'id', id, 'occurred_at', ${OCCURRED_AT_UTC}, 'tx_id', tx_id, 'action', action,
  'target_type', target_type, 'target_id', target_id, 'actor_type', actor_type, 'actor_id', actor_id,
  'actor_name', actor_name, 'ip', host(ip), 'user_agent', user_agent, 'request_id', request_id,
  'db_user', db_user, 'app_name', app_name, 'old_data', old_data, 'new_data', new_data,
  'changed_fields', changed_fields, 'metadata', metadata)`;

/** Select list for CSV: one column per field, JSON columns as JSON text, arrays as JSON arrays. */
export const EVENT_CSV_COLUMNS = EVENT_FIELDS.map((f) => {
  switch (f) {
    case 'occurred_at': return `${OCCURRED_AT_UTC} AS occurred_at`;
    case 'ip': return 'host(ip) AS ip';
    case 'old_data': case 'new_data': case 'metadata': return `${f}::text AS ${f}`;
    case 'changed_fields': return 'to_json(changed_fields)::text AS changed_fields';
    default: return f;
  }
}).join(', ');

/** An event as the API returns it (parsed from EVENT_JSON). */
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
}
