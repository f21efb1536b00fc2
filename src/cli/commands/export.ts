import { once } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';
import { requireInstalled } from '../../audit/installed.ts';
import { createPool } from '../../db/connect.ts';
import { explainConnectionError, UserError } from '../../db/errors.ts';
import { buildCopySql, EXPORT_FORMATS, type ExportFormat } from '../../export/copy-sql.ts';
import { CopyExport, type CopyOutcome } from '../../export/copy-stream.ts';
import { clientRecorder, filterMetadata, newExportId, type ExportSpec } from '../../export/record.ts';
import { ExportDigest } from '../../integrity/export-digest.ts';
import { loadSealKey } from '../../integrity/keys.ts';
import { buildManifest } from '../../integrity/manifest.ts';
import { parseFilter } from '../../query/filter.ts';
import { planQuery } from '../../query/plan.ts';
import type { Command, OptionSpec, OptionValues } from '../command.ts';
import { requireDatabaseUrl } from '../database.ts';
import { noArguments } from '../options.ts';
import { progressOnStderr, type Progress } from '../progress.ts';

/** CLI flag → filter parameter: the same names as the API's, with dashes. */
const FILTER_FLAGS: Record<string, { param: string; spec: OptionSpec }> = {
  'actor-id': { param: 'actor_id', spec: { type: 'string', value: 'id', description: 'exact actor_id' } },
  actor: { param: 'actor', spec: { type: 'string', value: 'who', description: 'actor_id, or actor_name ignoring case' } },
  'actor-type': { param: 'actor_type', spec: { type: 'string', value: 'type', description: 'user, api_token, system or db_role' } },
  action: { param: 'action', spec: { type: 'string', multiple: true, value: 'a[,a]', description: 'actions or prefixes (auth.*); repeatable' } },
  'target-type': { param: 'target_type', spec: { type: 'string', value: 'type', description: 'e.g. public.contacts' } },
  'target-id': { param: 'target_id', spec: { type: 'string', value: 'id', description: 'the record\'s key as text' } },
  from: { param: 'from', spec: { type: 'string', value: 'time', description: 'from this time, inclusive (ISO 8601; UTC when no zone)' } },
  to: { param: 'to', spec: { type: 'string', value: 'time', description: 'before this time; a date alone includes that whole day' } },
  window: { param: 'window', spec: { type: 'string', value: 'span', description: 'the last 1h, 24h, 7d … (instead of --from)' } },
  ip: { param: 'ip', spec: { type: 'string', value: 'addr|cidr', description: 'an address, or a CIDR block' } },
  q: { param: 'q', spec: { type: 'string', value: 'text', description: 'free text over actors, targets, labels and actions' } },
  'tx-id': { param: 'tx_id', spec: { type: 'string', value: 'n', description: 'one transaction' } },
  verb: { param: 'verb', spec: { type: 'string', multiple: true, value: 'v[,v]', description: 'domain verbs of updates (send, pause …); repeatable' } },
};

function filterParams(values: OptionValues): URLSearchParams {
  const params = new URLSearchParams();
  for (const [flag, { param }] of Object.entries(FILTER_FLAGS)) {
    const value = values[flag];
    if (value === undefined) continue;
    for (const v of [value].flat()) params.append(param, String(v));
  }
  return params;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'stream the events the filters match as CSV or JSON Lines to stdout (newest first)',
  usage: 'export --format csv|jsonl [--raw] [filters] > file',
  details: [
    'The same export as the console\'s and the API\'s (one COPY, one snapshot, same columns, same',
    'order), streamed with constant memory. CSV cells starting with = + - @ tab or CR get a leading',
    '\' so spreadsheets do not run them as formulas; --raw leaves them as stored. The export is recorded',
    'as audit events (audit.export, then audit.export_completed with the row count) with the database',
    'role as actor. Filters take the API\'s values; see README "Exports and API".',
  ].join('\n'),
  options: {
    format: { type: 'string', value: 'csv|jsonl', description: 'CSV with a header row, or JSON Lines (one event per line)' },
    raw: { type: 'boolean', description: 'CSV: do not neutralise formula-like cells (for machines)' },
    manifest: { type: 'string', value: 'FILE', description: 'also write a signed manifest of the exported bytes to FILE (needs the seal key; check with verify-export)' },
    ...Object.fromEntries(Object.entries(FILTER_FLAGS).map(([flag, { spec }]) => [flag, spec])),
  },
  async run({ config, positionals, values, stderr }) {
    noArguments(positionals, 'export');
    // Everything is validated before connecting: a typo never reaches the database.
    if (typeof values.format !== 'string') throw new UserError('export: --format csv or --format jsonl is required');
    if (!(EXPORT_FORMATS as readonly string[]).includes(values.format)) throw new UserError(`export: --format must be csv or jsonl (got "${values.format}")`);
    const format = values.format as ExportFormat;
    const filter = parseFilter(filterParams(values));
    const now = new Date();
    const raw = values.raw === true;
    const manifestFile = typeof values.manifest === 'string' ? values.manifest : undefined;
    const sealKey = manifestFile ? loadSealKey({ key: config.PGTRAIL_SEAL_KEY, file: config.PGTRAIL_SEAL_KEY_FILE }) : null;
    if (manifestFile && !sealKey) throw new UserError('export --manifest signs with the seal key: set PGTRAIL_SEAL_KEY or PGTRAIL_SEAL_KEY_FILE');
    const digest = manifestFile ? new ExportDigest(format) : undefined;
    let manifestFd: number | undefined;
    if (manifestFile) {
      try {
        manifestFd = openSync(manifestFile, 'w', 0o644);
      } catch (error) {
        throw new UserError(`cannot write the manifest ${manifestFile}: ${(error as Error).message}`, { cause: error });
      }
    }

    const url = requireDatabaseUrl(config);
    const pool = createPool(url, 2);
    pool.on('error', () => {});
    try {
      try {
        await requireInstalled(pool);
      } catch (error) {
        throw explainConnectionError(error, url);
      }
      const plan = await planQuery(pool, filter, now);
      const spec: ExportSpec = { id: newExportId(), format, raw, filter, now, window: plan.window, via: 'cli' };
      const copySql = buildCopySql(plan, { format, raw });
      const recorder = clientRecorder(pool);
      await recorder.started(spec);
      const startedAt = Date.now();
      const run = await CopyExport.start(pool, copySql);
      const progress = progressOnStderr();
      const written = await writeAll(run, process.stdout, digest, progress, format === 'jsonl');
      progress.end();
      if (!written) run.cancel();
      const outcome: CopyOutcome = await run.done;
      await recorder.ended(spec, outcome, startedAt);
      if (outcome.status === 'failed') throw outcome.error;
      if (outcome.status === 'cancelled') {
        stderr('pgtrail: export stopped: stdout was closed before the end\n');
        return 1;
      }
      stderr(`exported ${outcome.rows} event${outcome.rows === 1 ? '' : 's'} (${outcome.bytes} bytes, export ${spec.id})\n`);
      if (manifestFd !== undefined && digest && sealKey) {
        const { filters, query } = filterMetadata(filter, spec.window);
        const file = await buildManifest(pool, sealKey, { exportId: spec.id, format, raw: spec.raw, filters, query, exportedAt: now, digest: digest.finish() });
        writeSync(manifestFd, `${JSON.stringify(file, null, 2)}\n`);
        stderr(`manifest written to ${manifestFile}: sha256 ${file.manifest.sha256}, ${file.manifest.seals.length} seal(s), ${file.manifest.unsealed_rows} row(s) not sealed yet\n`);
      }
      return 0;
    } finally {
      if (manifestFd !== undefined) closeSync(manifestFd);
      await pool.end().catch(() => {});
    }
  },
};

/** Copies the COPY output to `out` with backpressure; false when `out` went away first. */
async function writeAll(run: CopyExport, out: NodeJS.WritableStream, digest: ExportDigest | undefined, progress: Progress, lines: boolean): Promise<boolean> {
  let broken = false;
  let bytes = 0;
  let rows = 0;
  const onError = () => (broken = true);
  out.on('error', onError);
  try {
    for (;;) {
      let chunk: Buffer | null;
      try {
        chunk = await run.next();
      } catch {
        return true; // PostgreSQL's error: reported from run.done
      }
      if (chunk === null || broken) return !broken;
      digest?.update(chunk);
      if (progress.active) {
        bytes += chunk.length;
        // A JSON Lines row is one line (JSON escapes newlines); a CSV field may hold one, so CSV shows bytes only.
        if (lines) for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
        progress.update(lines ? { bytes, rows } : { bytes });
      }
      if (!out.write(chunk)) {
        await Promise.race([once(out, 'drain'), once(out, 'error'), once(out, 'close')]);
      }
    }
  } finally {
    out.off('error', onError);
  }
}
