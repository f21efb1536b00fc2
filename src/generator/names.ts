// Deterministic names for the objects `enable` creates. Trigger names are fixed (they live in the
// table's own namespace); the capture function lives in the audit schema, so its name carries
// the table's name plus a hash of it, shortened to fit 63 bytes.
import { displayName, safeIdentifier, type QualifiedName } from '../db/sql.ts';
import type { Action } from './spec.ts';

export function captureFunctionName(table: QualifiedName): string {
  return safeIdentifier('capture_', displayName(table));
}

export function triggerName(action: Action): string {
  return `pgtrail_${action}`;
}

/** The label function of a labelled table (template v3's per-row fallback). */
export function labelFunctionName(table: QualifiedName): string {
  return safeIdentifier('label_', displayName(table));
}
