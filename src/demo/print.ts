// Prints recorded events as a compact table followed by each event's changes.

interface PrintedEvent {
  id: string;
  occurred_at: Date;
  action: string;
  target_type: string;
  target_id: string | null;
  actor_type: string;
  actor_name: string | null;
  actor_id: string | null;
  ip: string | null;
  changed_fields: string[] | null;
  old_data: Record<string, unknown> | null;
  new_data: Record<string, unknown> | null;
}

function pad(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function describe(e: PrintedEvent): string {
  if (e.action === 'update' && e.changed_fields) {
    return e.changed_fields
      .map((f) => `${f}: ${JSON.stringify(e.old_data?.[f])} → ${JSON.stringify(e.new_data?.[f])}`)
      .join('; ');
  }
  if (e.action === 'insert') return `new: ${JSON.stringify(e.new_data)}`;
  if (e.action === 'delete') return `old: ${JSON.stringify(e.old_data)}`;
  return '';
}

export function formatEvents(events: PrintedEvent[]): string {
  const header = `${pad('id', 6)} ${pad('occurred_at (UTC)', 24)} ${pad('action', 15)} ${pad('target', 22)} ${pad('actor', 30)} ${pad('ip', 15)}`;
  const lines = events.map((e) => {
    const actor = `${e.actor_type}:${e.actor_name ?? e.actor_id ?? ''}`;
    const target = `${e.target_type}#${e.target_id ?? '—'}`;
    const row = `${pad(e.id, 6)} ${pad(e.occurred_at.toISOString(), 24)} ${pad(e.action, 15)} ${pad(target, 22)} ${pad(actor, 30)} ${pad(e.ip ?? '', 15)}`;
    const detail = describe(e);
    return detail ? `${row}\n${' '.repeat(7)}${detail}` : row;
  });
  return [header, '-'.repeat(header.length), ...lines].join('\n');
}
