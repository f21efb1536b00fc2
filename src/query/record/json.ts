// "As of" as JSON (GET /api/v1/records/as-of; docs/as-of.md documents the shape). Row values are
// written digit for digit (stringifyExact); event ids and tx ids are JSON numbers, as in /events.
import { exactNumber, stringifyExact } from '../exact-json.ts';
import type { AsOfResult, RecordState } from './as-of.ts';
import type { ChainEvent } from './events.ts';

function event(e: ChainEvent | null, extra: Record<string, unknown> = {}) {
  if (!e) return null;
  return {
    id: exactNumber(e.id), occurred_at: e.occurred_at, tx_id: exactNumber(e.tx_id), action: e.action,
    target_type: e.target_type, target_id: e.target_id, old_target_id: e.old_target_id,
    changed_fields: e.changed_fields, actor_display: e.actor_display, target_label: e.target_label, verb: e.verb, ...extra,
  };
}

function state(s: RecordState) {
  return {
    as_of: s.as_of,
    after_event: s.after_event === null ? null : exactNumber(s.after_event),
    exists: s.exists,
    record_target_id: s.target_id,
    record: s.record,
    basis_event: event(s.basis),
    removed_by: event(s.removed_by),
    last_record: s.last_record,
    columns: s.columns,
  };
}

export function asOfJson(r: AsOfResult): string {
  return stringifyExact({
    target_type: r.target_type,
    target_id: r.target_id,
    entity: r.entity,
    label: r.label,
    ...state(r.state),
    complete: r.complete,
    incomplete: r.incomplete.map((i) => ({ kind: i.kind, message: i.message, event_id: i.event_id === undefined ? null : exactNumber(i.event_id) })),
    keys: r.keys,
    first_event: event(r.first_event),
    history: r.history,
    events_used: r.events_used.map(exactNumber),
    timeline: { events: r.timeline.events.map((e) => event(e, { kind: e.kind, within: e.within })), earlier: r.timeline.earlier, later: r.timeline.later },
    compare: r.compare ? state(r.compare) : null,
    diff: r.diff && {
      from: r.diff.from,
      to: r.diff.to,
      fields: r.diff.fields.map((f) => ({ field: f.field, before: f.before, after: f.after, in_before: f.before !== undefined, in_after: f.after !== undefined, changed: f.changed, events: f.events.map(exactNumber) })),
      events: r.diff.events.map((e) => event(e)),
      events_capped: r.diff.events_capped,
    },
  });
}
