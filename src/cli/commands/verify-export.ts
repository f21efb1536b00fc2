import { createReadStream, readFileSync } from 'node:fs';
import { UserError } from '../../db/errors.ts';
import { EXPORT_FORMATS, type ExportFormat } from '../../export/copy-sql.ts';
import { ExportDigest } from '../../integrity/export-digest.ts';
import { isFingerprint, readPublicKeyFile } from '../../integrity/keys.ts';
import { checkManifest, type ManifestFile } from '../../integrity/manifest.ts';
import type { Command } from '../command.ts';

export const verifyExportCommand: Command = {
  name: 'verify-export',
  summary: 'check an exported file against its signed manifest, offline (no database); exit 0 verified, 1 not',
  usage: 'verify-export <events.csv|events.jsonl> <manifest.json> --key <fingerprint|public-key.pem> [--json]',
  details: [
    'Needs no database: reads the file and the manifest written by `pgtrail export --manifest` (or the',
    'API), checks the manifest\'s Ed25519 signature against the key you trust (its fingerprint, or its',
    'public key file in PEM), and that the file has exactly the bytes (SHA-256), rows and event ids the',
    'manifest states. The manifest also lists the seals its events fell under, for `pgtrail verify`.',
  ].join('\n'),
  options: {
    key: { type: 'string', value: 'fingerprint|file', description: 'the key you trust: a fingerprint (64 hex characters) or a PEM public key file' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run({ positionals, values, stdout }) {
    if (positionals.length !== 2) throw new UserError(`verify-export: give the exported file and its manifest (got ${positionals.length} argument(s))`, { hint: 'pgtrail verify-export events.csv events.manifest.json --key <fingerprint>' });
    if (typeof values.key !== 'string') throw new UserError('verify-export: --key <fingerprint or public key file> is required: a manifest proves nothing without a key you trust');
    const [dataPath, manifestPath] = positionals;
    const expected = isFingerprint(values.key.toLowerCase()) ? values.key.toLowerCase() : readPublicKeyFile(values.key).fingerprint;
    let file: ManifestFile;
    try {
      file = JSON.parse(readFileSync(manifestPath, 'utf8'));
    } catch (error) {
      throw new UserError(`${manifestPath} is not a readable JSON manifest: ${(error as Error).message}`, { cause: error });
    }
    const m = file?.manifest;
    if (!m || m.pgtrail_manifest !== 1 || typeof file.signature !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(m.format)) {
      throw new UserError(`${manifestPath} is not a pgtrail export manifest`);
    }
    const digest = new ExportDigest(m.format as ExportFormat);
    try {
      for await (const chunk of createReadStream(dataPath)) digest.update(chunk as Buffer);
    } catch (error) {
      throw new UserError(`cannot read ${dataPath}: ${(error as Error).message}`, { cause: error });
    }
    const check = checkManifest(file, digest.finish(), expected);
    if (values.json) {
      stdout(`${JSON.stringify({ ok: check.ok, problems: check.problems, manifest: check.manifest }, null, 2)}\n`);
    } else if (check.ok) {
      const seals = m.seals.length ? `seals ${m.seals.map((s) => `#${s.seq}`).join(', ')}` : 'no seal';
      stdout(`verified: ${dataPath} is the export ${m.export_id} of ${m.exported_at}: ${m.rows} row(s), ids ${m.first_event_id ?? '-'}–${m.last_event_id ?? '-'}, sha256 ${m.sha256}; signed by ${m.key} (expected); under ${seals}${m.unsealed_rows ? `, ${m.unsealed_rows} row(s) not sealed yet when exported` : ''}\n`);
    } else {
      stdout(`NOT VERIFIED: ${dataPath}\n${check.problems.map((p) => `  ${p}\n`).join('')}`);
    }
    return check.ok ? 0 : 1;
  },
};
