// Every export is itself an audit event. Events are append-only, and the row count is only known
// when COPY ends, so one export writes two events sharing one target (`export`, <export id>):
//   audit.export            before the first byte: who, which filters (canonical), format, raw.
//                           If this cannot be recorded, the export does not happen.
//   audit.export_completed  rows and bytes, when COPY finished and the last byte was handed over;
//   audit.export_failed     otherwise: reason `client_disconnected` or `error` (with SQLSTATE), bytes sent.
// An `audit.export` without a second event means the server stopped mid-export. The console's
// "history of this record" on target `export` / <id> shows the pair together.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { withAuditContext, type AuditContext } from '../audit/context.ts';
import { sqlState } from '../db/errors.ts';
import { filterToParams, type EventFilter } from '../query/filter.ts';
import type { QueryWindow } from '../query/window.ts';
import type { ExportFormat } from './copy-sql.ts';
import type { CopyOutcome } from './copy-stream.ts';

const EXPORT_TARGET_TYPE = 'export';

export interface ExportSpec {
  id: string;
  format: ExportFormat;
  raw: boolean;
  filter: EventFilter;
  /** The instant a relative `window` was resolved at. */
  now: Date;
  /** The window as the export's query resolved it (its plan's). */
  window: Pick<QueryWindow, 'from'>;
  /** Where the export came from: 'http' (console or API) or 'cli'. */
  via: 'http' | 'cli';
}

export function newExportId(): string {
  return randomUUID();
}

/** The filter as canonical parameters (repeatable `action` and `verb` as arrays), and the resolved window. */
export function filterMetadata(filter: EventFilter, window: Pick<QueryWindow, 'from'>): ExportFilters {
  const params = filterToParams(filter);
  const filters: ExportFilters['filters'] = {};
  for (const key of new Set(params.keys())) filters[key] = key === 'action' || key === 'verb' ? params.getAll(key) : params.get(key)!;
  return {
    filters,
    query: params.toString(),
    ...(filter.window && window.from ? { window_from: window.from.toISOString() } : {}),
  };
}

export interface ExportFilters {
  filters: Record<string, string | string[]>;
  query: string;
  /** Where a relative `window` started, resolved at the export's instant. */
  window_from?: string;
}

function startMetadata(spec: ExportSpec): Record<string, unknown> {
  return { export_id: spec.id, format: spec.format, raw: spec.raw, via: spec.via, ...filterMetadata(spec.filter, spec.window) };
}

function endEvent(spec: ExportSpec, outcome: CopyOutcome, startedAt: number, extra: Record<string, unknown> = {}): [string, Record<string, unknown>] {
  const base = { export_id: spec.id, format: spec.format, bytes: outcome.bytes, duration_ms: Date.now() - startedAt };
  switch (outcome.status) {
    case 'completed': return ['audit.export_completed', { ...base, rows: outcome.rows, ...extra }];
    case 'cancelled': return ['audit.export_failed', { ...base, reason: 'client_disconnected' }];
    case 'failed': return ['audit.export_failed', { ...base, reason: 'error', error: outcome.error.message.slice(0, 500), sqlstate: sqlState(outcome.error) ?? null }];
  }
}

async function logEvent(db: pg.ClientBase | pg.Pool, action: string, spec: ExportSpec, metadata: Record<string, unknown>): Promise<void> {
  await db.query('SELECT audit.log_event($1, $2, $3, $4::jsonb)', [action, EXPORT_TARGET_TYPE, spec.id, JSON.stringify(metadata)]);
}

/**
 * Records exports on behalf of a principal (console user or API token), with withAuditContext
 * semantics: each event in its own short transaction, attributed to `context`.
 */
export function poolRecorder(pool: pg.Pool, context: AuditContext) {
  return {
    started: (spec: ExportSpec) => withAuditContext(pool, context, (c) => logEvent(c, 'audit.export', spec, startMetadata(spec))),
    /** `extra` goes into a completed export's event (the signed manifest, as its JSON text). */
    ended: (spec: ExportSpec, outcome: CopyOutcome, startedAt: number, extra?: Record<string, unknown>) => {
      const [action, metadata] = endEvent(spec, outcome, startedAt, extra);
      return withAuditContext(pool, context, (c) => logEvent(c, action, spec, metadata));
    },
  };
}

/**
 * Records exports made with the CLI's own connection. No context is declared, so the actor is the
 * database role and the client address (actor_type db_role), exactly as for any DBA session.
 */
export function clientRecorder(client: pg.ClientBase | pg.Pool) {
  return {
    started: (spec: ExportSpec) => logEvent(client, 'audit.export', spec, startMetadata(spec)),
    ended: (spec: ExportSpec, outcome: CopyOutcome, startedAt: number) => {
      const [action, metadata] = endEvent(spec, outcome, startedAt);
      return logEvent(client, action, spec, metadata);
    },
  };
}
