// Released migrations are frozen in fact, not only by a comment: a migration reads SQL files under
// sql/ that anyone can edit, and an edit would silently change what a fresh install gets while
// upgraded databases keep the old body. This pins the exact SQL each released migration queues,
// up and down, by its sha256 (test/fixtures/released-migrations.sha256).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';

const t = suite('frozen-migrations');

const dir = new URL('../migrations/', import.meta.url);
const pinFile = new URL('./fixtures/released-migrations.sha256', import.meta.url);

/** The SQL a migration queues in one direction, joined as it is hashed in the pin file. */
async function queued(name: string, direction: 'up' | 'down'): Promise<string> {
  const migration = await import(new URL(`${name}.ts`, dir).href);
  const out: string[] = [];
  await migration[direction]({ sql: (sql: string) => out.push(sql) });
  return out.join('\n;\n');
}
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const pins = new Map<string, string>(); // "0001_core up" → sha256
for (const line of readFileSync(pinFile, 'utf8').split('\n')) {
  const m = line.match(/^([0-9a-f]{64}) {2}(\S+ (?:up|down))$/);
  if (m) pins.set(m[2], m[1]);
}
const migrations = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '')).sort();

t('the pin file pins the first migrations, in both directions', () => {
  assert.ok(pins.has('0001_core up') && pins.has('0001_core down'));
  assert.ok(pins.size >= 16, `${pins.size} pins`);
});

t('every released migration queues exactly the SQL it was released with', async () => {
  const changed: string[] = [];
  for (const key of pins.keys()) {
    const [name, direction] = key.split(' ') as [string, 'up' | 'down'];
    assert.ok(migrations.includes(name), `${name} is pinned but its file is gone: a released migration is never removed`);
    const actual = sha256(await queued(name, direction));
    if (actual !== pins.get(key)) changed.push(`${key}: ${actual}`);
  }
  assert.equal(changed, [], 'released migrations whose SQL changed (a file under sql/ they read was edited?): '
    + 'put the change in a new migration and restore the released SQL');
});

t('only the newest migrations may be unpinned (not yet released)', async () => {
  const pinned = migrations.filter((m) => pins.has(`${m} up`));
  const unpinned = migrations.filter((m) => !pins.has(`${m} up`));
  const lastPinned = pinned.at(-1)!;
  const gaps = unpinned.filter((m) => m < lastPinned);
  const lines = [];
  for (const m of unpinned) for (const d of ['up', 'down'] as const) lines.push(`${sha256(await queued(m, d))}  ${m} ${d}`);
  if (unpinned.length) console.log(`  unpinned (not yet released) migrations; when releasing, add to the pin file:\n    ${lines.join('\n    ')}`);
  assert.equal(gaps, [], 'a migration older than a released one must be pinned too');
});

t.run();
