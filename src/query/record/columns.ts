// What each column of a reconstructed row is: a recorded value, a masked one (redacted), a size
// and digest in place of a value too big to record (oversized), a column the capture leaves out
// (excluded), one whose changes alone are not recorded (ignored), one the table no longer has,
// or one the table has now that the row image does not. Pure: the caller passes the table as it is now.
import type { ExactValue } from '../exact-json.ts';
import { isOversized, REDACTED } from '../../generator/markers.ts';
import type { RecordTarget } from './target.ts';

export type ValueKind = 'value' | 'null' | 'redacted' | 'oversized';

export interface ColumnInfo {
  name: string;
  /** How the image holds it; 'absent' when it is not in the image at all. */
  value: ValueKind | 'absent';
  /** In the image but not in the table now (dropped or renamed since). */
  dropped_since: boolean;
  /** In the table now but not in the image: added since, or never recorded. */
  not_in_image: boolean;
  /** Left out of every event by the table's options (exclude). */
  excluded: boolean;
  /** A change to this column alone makes no event (ignore): its value may be newer than shown. */
  ignored: boolean;
}

function valueKind(name: string, value: ExactValue, target: RecordTarget): ValueKind {
  if (value === null) return 'null';
  if (value === REDACTED && (target.audited === null || target.audited.redact.includes(name))) return 'redacted';
  if (isOversized(value)) return 'oversized';
  return 'value';
}

/** The image's columns in the table's order, then columns the table no longer has, then those the image lacks. */
export function describeColumns(image: Record<string, ExactValue> | null, target: RecordTarget): ColumnInfo[] {
  const now = target.columnsNow ?? [];
  const inImage = image ? Object.keys(image) : [];
  const names = [...now.filter((c) => inImage.includes(c)), ...inImage.filter((c) => !now.includes(c)), ...now.filter((c) => !inImage.includes(c))];
  const options = target.audited;
  return names.map((name) => {
    const present = image !== null && Object.hasOwn(image, name);
    return {
      name,
      value: present ? valueKind(name, image[name], target) : 'absent',
      dropped_since: present && target.columnsNow !== null && !now.includes(name),
      not_in_image: !present && image !== null && now.includes(name),
      excluded: options?.exclude.includes(name) ?? false,
      ignored: options?.ignore.includes(name) ?? false,
    };
  });
}
