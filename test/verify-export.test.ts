// Exports that carry proof: `pgtrail export --manifest` writes a signed manifest of the exact bytes,
// and `pgtrail verify-export` checks a file offline (no DATABASE_URL at all) against it and a key.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSealKey, privateEnvValue, publicPem } from '../src/integrity/keys.ts';
import { sealNow } from '../src/integrity/seal.ts';
import { registerKey } from '../src/integrity/store.ts';
import { cli, cliWithEnv } from './helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase; files: string[] }>('verify-export');
const key = generateSealKey();

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('verify_export');
  ctx.files = [];
  await registerKey(ctx.db.pool, key);
  // Values a CSV reader must get right: quotes, commas and newlines inside cells.
  await ctx.db.pool.query(`SELECT audit.log_event('test.event', 'test', E'id "' || g || E'",\\nnext line', jsonb_build_object('note', 'multi-line ' || g)) FROM generate_series(1, 6) AS g`);
  const client = await ctx.db.pool.connect();
  try {
    await sealNow(client, key);
  } finally {
    client.release();
  }
});
t.after(async (ctx) => {
  for (const f of ctx.files) try { unlinkSync(f); } catch { /* never made */ }
  await ctx.db?.drop();
});

function tmp(ctx: { db: TestDatabase; files: string[] }, name: string): string {
  const path = join(tmpdir(), `${ctx.db.name}.${name}`);
  ctx.files.push(path);
  return path;
}

async function exportWithManifest(ctx: { db: TestDatabase; files: string[] }, format: 'csv' | 'jsonl', ...filters: string[]) {
  const manifest = tmp(ctx, `${format}.manifest.json`);
  const run = await cliWithEnv(ctx.db.url, { PGTRAIL_SEAL_KEY: privateEnvValue(key) }, 'export', '--format', format, '--manifest', manifest, ...filters);
  assert.is(run.code, 0, run.stderr);
  const data = tmp(ctx, `events.${format}`);
  writeFileSync(data, run.stdout);
  return { data, manifest, parsed: JSON.parse(readFileSync(manifest, 'utf8')) };
}

t('export --manifest, then verify-export with no database: exit 0; the manifest states rows, sha256, ids and seals', async (ctx) => {
  for (const format of ['csv', 'jsonl'] as const) {
    const { data, manifest, parsed } = await exportWithManifest(ctx, format, '--action', 'test.event');
    const m = parsed.manifest;
    assert.is(m.rows, 6);
    assert.is(m.sha256, createHash('sha256').update(readFileSync(data)).digest('hex'));
    assert.is(m.first_event_id, '1');
    assert.is(m.last_event_id, '6');
    assert.equal(m.filters, { action: ['test.event'] });
    assert.equal(m.seals.map((s: { seq: string }) => s.seq), ['1']);
    assert.is(m.unsealed_rows, 0);
    assert.is(m.key, key.fingerprint);

    const run = await cli(undefined, 'verify-export', data, manifest, '--key', key.fingerprint);
    assert.is(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^verified: .* 6 row\(s\), ids 1–6, sha256 [0-9a-f]{64}; signed by [0-9a-f]{64} \(expected\); under seals #1$/m);
  }
  // The public key file works as well as the fingerprint.
  const pem = tmp(ctx, 'public.pem');
  writeFileSync(pem, publicPem(key));
  const { data, manifest } = await exportWithManifest(ctx, 'csv', '--action', 'test.event');
  const byFile = await cli(undefined, 'verify-export', data, manifest, '--key', pem);
  assert.is(byFile.code, 0, byFile.stdout + byFile.stderr);
});

t('one byte changed, a row removed, the manifest edited, another key: each exit 1 with the reason', async (ctx) => {
  const { data, manifest, parsed } = await exportWithManifest(ctx, 'csv', '--action', 'test.event');
  const original = readFileSync(data, 'utf8');
  const check = async (file: string, man = manifest, k = key.fingerprint) => {
    const run = await cli(undefined, 'verify-export', file, man, '--key', k);
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^NOT VERIFIED: /);
    return run.stdout;
  };

  const flipped = tmp(ctx, 'flipped.csv');
  writeFileSync(flipped, original.replace('multi-line 3', 'multi-line 9'));
  assert.match(await check(flipped), /the file's SHA-256 is [0-9a-f]{64}, the manifest says/);

  const lines = original.split('\n');
  const removed = tmp(ctx, 'removed.csv');
  writeFileSync(removed, [lines[0], ...lines.slice(3)].join('\n')); // header kept, the first event (two lines) gone
  const out = await check(removed);
  assert.match(out, /the file has 5 rows, the manifest says 6/);
  assert.match(out, /the file's event ids run 1–5, the manifest says 1–6/);

  const edited = tmp(ctx, 'edited.manifest.json');
  writeFileSync(edited, JSON.stringify({ ...parsed, manifest: { ...parsed.manifest, unsealed_rows: 0, rows: 5 } }));
  assert.match(await check(data, edited), /the manifest's signature does not match its contents/);

  const other = generateSealKey();
  assert.match(await check(data, manifest, other.fingerprint), new RegExp(`signed with key ${key.fingerprint}, not the expected ${other.fingerprint}`));
});

t('usage errors are exit 2 with one line; export --manifest without a key refuses before exporting', async (ctx) => {
  const { data, manifest } = await exportWithManifest(ctx, 'csv');
  for (const [args, pattern] of [
    [[data, manifest], /^pgtrail: verify-export: --key <fingerprint or public key file> is required/],
    [[data, '--key', key.fingerprint], /^pgtrail: verify-export: give the exported file and its manifest \(got 1 argument\(s\)\)/],
    [[data, data, '--key', key.fingerprint], /is not a readable JSON manifest/],
    [[data, manifest, '--key', 'nope.pem'], /^pgtrail: --key nope\.pem: neither a fingerprint \(64 hex characters\) nor a readable public key file/],
    [['absent.csv', manifest, '--key', key.fingerprint], /^pgtrail: cannot read absent\.csv/],
  ] as Array<[string[], RegExp]>) {
    const run = await cli(undefined, 'verify-export', ...args);
    assert.is(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr, pattern);
  }
  const before = (await ctx.db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE action = 'audit.export'`)).rows[0].n;
  const run = await cli(ctx.db.url, 'export', '--format', 'csv', '--manifest', tmp(ctx, 'nokey.json'));
  assert.is(run.code, 2);
  assert.match(run.stderr, /^pgtrail: export --manifest signs with the seal key/);
  assert.is(run.stdout, '');
  assert.is((await ctx.db.pool.query(`SELECT count(*)::int AS n FROM audit.events WHERE action = 'audit.export'`)).rows[0].n, before, 'nothing was exported');
});

t.run();
