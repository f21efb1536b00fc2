// The difference between the record at two points in time, field by field, with the events
// between them that changed each field (by changed_fields; an insert or delete changes them all).
// Pure: the two images and the events between come from as-of.ts, the events capped there.
import { stringifyExact, type ExactValue } from '../exact-json.ts';
import type { ChainEvent } from './events.ts';
import { isOversized } from '../../generator/markers.ts';

const leftAlone = (v: unknown) => isOversized(v) && v.unchanged === true;

export interface FieldDiff {
  field: string;
  /** Values as recorded at the earlier and the later point; undefined: not in that image. */
  before?: ExactValue;
  after?: ExactValue;
  /** The recorded values differ (a field in only one image differs too). */
  changed: boolean;
  /** Ids of the events between the two points that changed the field (it may have changed back). */
  events: string[];
}

type Image = Record<string, ExactValue> | null;

/** Fields in `order` (the table's columns now) first, then the others as the images hold them. */
export function diffImages(before: Image, after: Image, between: ChainEvent[], order: string[] = []): FieldDiff[] {
  const all = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const fields = [...order.filter((f) => all.has(f)), ...[...all].filter((f) => !order.includes(f))];
  return fields.map((field) => {
    const has = (image: Image) => image !== null && Object.hasOwn(image, field);
    const b = has(before) ? before![field] : undefined;
    const a = has(after) ? after![field] : undefined;
    const events = between
      .filter((e) => e.action !== 'update' || (e.changed_fields ?? []).includes(field))
      .map((e) => e.id);
    // An oversized value an update left alone is recorded without its md5, so its marker differs
    // from the one that wrote it: whether it changed is what the events between say.
    const markers = leftAlone(b) || leftAlone(a);
    const changed = has(before) !== has(after) || (has(before) && (markers ? events.length > 0 : stringifyExact(b) !== stringifyExact(a)));
    return { field, before: b, after: a, changed, events };
  });
}
