// The API's side of the provable trail: the seal chain for auditors (GET /api/v1/seals) and the
// signed manifest of an export made through the API (GET /api/v1/exports/:id/manifest), checked
// offline with the real `pgtrail verify-export`. On a pool running as the console's role.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { generateSealKey, publicKeyFromRaw } from '../src/integrity/keys.ts';
import { sealMessage, signatureValid } from '../src/integrity/seal-message.ts';
import { sealNow } from '../src/integrity/seal.ts';
import { registerKey } from '../src/integrity/store.ts';
import { createToken } from '../src/accounts/tokens.ts';
import { apiApp, bearer, consoleRolePool, exportEvents, waitFor } from './helpers/api.ts';
import { cli } from './helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

const t = suite<{ db: TestDatabase; api: pg.Pool; auditor: string; viewer: string }>('seal-api');
const key = generateSealKey();

t.before(async (ctx) => {
  ctx.db = await createTestDatabase('seal_api');
  ctx.api = consoleRolePool(ctx.db.url);
  await registerKey(ctx.db.pool, key);
  await ctx.db.pool.query(`SELECT audit.log_event('test.event', 'test', g::text) FROM generate_series(1, 5) AS g`);
  const client = await ctx.db.pool.connect();
  try {
    await sealNow(client, key);
    ctx.auditor = (await createToken(client, 'seal-auditor', 'auditor')).token;
    ctx.viewer = (await createToken(client, 'seal-viewer', 'viewer')).token;
  } finally {
    client.release();
  }
});
t.after(async (ctx) => {
  await ctx.api?.end();
  await ctx.db?.drop();
});

t('GET /seals gives auditors every signed field, the hash and signature, and the public keys; viewers get 403', async (ctx) => {
  const app = apiApp({ pool: ctx.api, secret: 's' });
  const res = await app.request('/api/v1/seals', bearer(ctx.auditor));
  assert.is(res.status, 200, await res.clone().text());
  const chain = await res.json();
  assert.equal(chain.keys.map((k: { fingerprint: string }) => k.fingerprint), [key.fingerprint]);
  assert.is(chain.seals.length, 1);
  const s = chain.seals[0];
  assert.is(s.count, '5');
  // An auditor's own check, from the JSON alone: rebuild the message, verify the signature.
  const message = sealMessage({
    seq: s.seq, form: s.form, prevHash: Buffer.from(s.prev_hash, 'hex'), snapshot: s.snapshot, prevSnapshot: s.prev_snapshot,
    ids: s.ids, count: s.count, firstId: s.first_id, lastId: s.last_id, firstAt: s.first_at, lastAt: s.last_at,
    eventsHash: Buffer.from(s.events_hash, 'hex'), locatorsHash: Buffer.from(s.locators_hash, 'hex'), expired: s.expired,
    expiredUpto: s.expired_upto, keyFingerprint: s.key, sealedAt: s.sealed_at,
  });
  const publicKey = publicKeyFromRaw(Buffer.from(chain.keys[0].public_key, 'base64url'));
  assert.ok(signatureValid(message, Buffer.from(s.signature, 'base64url'), publicKey));
  assert.not.ok(signatureValid(Buffer.concat([message, Buffer.from(' ')]), Buffer.from(s.signature, 'base64url'), publicKey), 'positive control: a changed message fails');

  const viewer = await app.request('/api/v1/seals', bearer(ctx.viewer));
  assert.is(viewer.status, 403);
  assert.match((await viewer.json()).error, /auditor and admin/);
});

t('an API export gets a signed manifest (GET /exports/:id/manifest) that verify-export accepts offline', async (ctx) => {
  const app = apiApp({ pool: ctx.api, secret: 's', sealKey: key });
  const res = await app.request('/api/v1/events.csv?action=test.event', bearer(ctx.auditor));
  assert.is(res.status, 200);
  const exportId = res.headers.get('X-Pgtrail-Export-Id')!;
  const body = Buffer.from(await res.arrayBuffer());
  await waitFor(async () => (await exportEvents(ctx.db.pool, exportId)).some((e) => e.action === 'audit.export_completed'), 10_000, 'the completed export event');

  const manifest = await app.request(`/api/v1/exports/${exportId}/manifest`, bearer(ctx.auditor));
  assert.is(manifest.status, 200, await manifest.clone().text());
  const text = await manifest.text();
  assert.is(JSON.parse(text).manifest.rows, 5);
  const dataFile = join(tmpdir(), `${ctx.db.name}.api.csv`);
  const manifestFile = join(tmpdir(), `${ctx.db.name}.api.manifest.json`);
  writeFileSync(dataFile, body);
  writeFileSync(manifestFile, text);
  try {
    const run = await cli(undefined, 'verify-export', dataFile, manifestFile, '--key', key.fingerprint);
    assert.is(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /5 row\(s\), ids 1–5, .*under seals #1$/m);
  } finally {
    unlinkSync(dataFile);
    unlinkSync(manifestFile);
  }

  assert.is((await app.request(`/api/v1/exports/${exportId}/manifest`, bearer(ctx.viewer))).status, 403);
  const bad = await app.request('/api/v1/exports/nope/manifest', bearer(ctx.auditor));
  assert.is(bad.status, 400);
  assert.match((await bad.json()).error, /is not an export id/);
  const none = await app.request('/api/v1/exports/00000000-0000-4000-8000-000000000000/manifest', bearer(ctx.auditor));
  assert.is(none.status, 404);

  // Without a key the export works as before and has no manifest.
  const unsigned = apiApp({ pool: ctx.api, secret: 's' });
  const plain = await unsigned.request('/api/v1/events.csv?action=test.event', bearer(ctx.auditor));
  const plainId = plain.headers.get('X-Pgtrail-Export-Id')!;
  await plain.arrayBuffer();
  await waitFor(async () => (await exportEvents(ctx.db.pool, plainId)).some((e) => e.action === 'audit.export_completed'), 10_000, 'the second export');
  assert.is((await unsigned.request(`/api/v1/exports/${plainId}/manifest`, bearer(ctx.auditor))).status, 404);
});

t.run();
