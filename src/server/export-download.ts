// The export download: CSV or JSON Lines of exactly the events the filters match, newest first,
// streamed from COPY with backpressure. Mounted by the console (`/export.csv`, session auth) and by
// the API (`/api/v1/events.csv`, Bearer tokens); both set c.get('principal') before this runs.
//
// Errors before the first byte are JSON with a proper status (400 / 401 / 403 / 500). Once bytes
// have gone out, an error ends the response abruptly — the socket is destroyed without the final
// chunk of the chunked encoding — so every HTTP client sees an incomplete download, never an error
// page inside the file.
import type { Context } from 'hono';
import type pg from 'pg';
import { UserError } from '../db/errors.ts';
import { parseFilter } from '../query/filter.ts';
import { planQuery } from '../query/plan.ts';
import { can, principalContext } from '../accounts/roles.ts';
import type { AppEnv } from './env.ts';
import { EXPORT_PARAMS, parseRaw, rejectUnknownParams } from './api/params.ts';
import { requestInfo } from './request-info.ts';
import { buildCopySql, type ExportFormat } from '../export/copy-sql.ts';
import { CopyExport, type CopyOutcome } from '../export/copy-stream.ts';
import { filterMetadata, newExportId, poolRecorder, type ExportSpec } from '../export/record.ts';
import { ExportDigest } from '../integrity/export-digest.ts';
import type { SealKey } from '../integrity/keys.ts';
import { buildManifest } from '../integrity/manifest.ts';

export interface ExportDeps {
  pool: pg.Pool;
  now?: () => Date;
  /** Take the client address from X-Forwarded-For (behind a trusted reverse proxy). */
  trustProxy?: boolean;
  /**
   * Signs a manifest of every completed export (kept, as its JSON text, in the audit.export_completed
   * event; GET /api/v1/exports/:id/manifest). Without a key exports carry no manifest.
   */
  sealKey?: SealKey | null;
  /** Where failures are told to the operator (default console.error); tests collect and assert them. */
  logError?: (message: string, error: unknown) => void;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8; header=present',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

/** `pgtrail-events-2026-11-24T09-30-00Z.csv`: the export's instant in UTC, safe on every file system. */
function exportFileName(now: Date, format: ExportFormat): string {
  return `pgtrail-events-${now.toISOString().slice(0, 19).replace(/:/g, '-')}Z.${format}`;
}

export function exportRoute(deps: ExportDeps, format: ExportFormat) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const principal = c.get('principal');
    if (!principal) return c.json({ error: 'authentication required' }, 401);
    if (!can(principal, 'export')) return c.json({ error: `the ${principal.role} role cannot export; ask an admin for the auditor role` }, 403);

    const logError = deps.logError ?? ((message: string, error: unknown) => console.error(message, error));
    const now = deps.now?.() ?? new Date();
    let spec: ExportSpec;
    let copySql: string;
    try {
      const params = new URL(c.req.url).searchParams;
      rejectUnknownParams(params, EXPORT_PARAMS);
      const filter = parseFilter(params);
      const raw = parseRaw(params);
      const plan = await planQuery(deps.pool, filter, now);
      spec = { id: newExportId(), format, raw, filter, now, window: plan.window, via: 'http' };
      copySql = buildCopySql(plan, { format, raw });
    } catch (error) {
      if (error instanceof UserError) return c.json({ error: error.message }, 400);
      throw error;
    }

    // Recorded before anything is read: an export that cannot be recorded does not happen.
    const recorder = poolRecorder(deps.pool, principalContext(principal, requestInfo(c, deps)));
    await recorder.started(spec);
    const startedAt = Date.now();
    const digest = deps.sealKey ? new ExportDigest(format) : undefined;
    const manifestOf = async (outcome: CopyOutcome): Promise<Record<string, unknown> | undefined> => {
      if (!digest || !deps.sealKey || outcome.status !== 'completed') return undefined;
      const { filters, query } = filterMetadata(spec.filter, spec.window);
      const file = await buildManifest(deps.pool, deps.sealKey, { exportId: spec.id, format, raw: spec.raw, filters, query, exportedAt: now, digest: digest.finish() });
      return { manifest: JSON.stringify(file) };
    };
    const recordEnd = (outcome: CopyOutcome) =>
      manifestOf(outcome).then((extra) => recorder.ended(spec, outcome, startedAt, extra))
        .catch((error) => logError(`pgtrail: could not record the end of export ${spec.id}:`, error));

    let run: CopyExport | undefined;
    let first: Buffer | null;
    try {
      run = await CopyExport.start(deps.pool, copySql);
      if (digest) run.onChunk = (chunk) => digest.update(chunk);
      // The client may leave before the body is even handed over (then no stream cancel ever
      // comes): the request's abort signal covers that moment and every later one.
      const signal = c.req.raw.signal;
      const copy = run;
      const onAbort = () => copy.cancel();
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      void run.done.then(() => signal.removeEventListener('abort', onAbort));
      first = await run.next();
    } catch (error) {
      await recordEnd(run ? await run.done : { status: 'failed', bytes: 0, error: error as Error });
      // A client that left first is recorded as client_disconnected: nothing for the operator.
      if (!c.req.raw.signal.aborted) logError(`pgtrail: export ${spec.id} failed before its first byte:`, error);
      return c.json({ error: 'the export could not be started; try again, and tell the operator if it persists', export_id: spec.id }, 500);
    }
    void run.done.then(recordEnd);

    const body = run.toWebStream(first, (error) => {
      logError(`pgtrail: export ${spec.id} failed while streaming:`, error);
      // Make sure not one more byte goes out: the client must see a truncated transfer.
      const outgoing = (c.env as { outgoing?: { destroy(): void } } | undefined)?.outgoing;
      outgoing?.destroy();
      return outgoing !== undefined;
    });
    return new Response(body, {
      status: 200,
      headers: {
        'Content-Type': CONTENT_TYPES[format],
        'Content-Disposition': `attachment; filename="${exportFileName(now, format)}"`,
        // Chunked, so a truncated download is detectable, and so @hono/node-server streams at once
        // instead of buffering the first chunks to compute a Content-Length.
        'Transfer-Encoding': 'chunked',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'X-Pgtrail-Export-Id': spec.id,
      },
    });
  };
}
