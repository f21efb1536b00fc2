// Released migrations are frozen in fact, not only by a comment: each reads its SQL from its own
// frozen copy (migrations/sql/<migration>/, test/frozen-sql.test.ts), and this pins the exact SQL
// each released migration queues, up and down, by its sha256
// (test/fixtures/released-migrations.sha256), so no edit anywhere changes what a fresh install gets.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { migrationNames, queued, readPins } from './helpers/released-migrations.ts';

const t = suite('frozen-migrations');

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const pins = readPins();
const migrations = migrationNames();

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
  assert.equal(changed, [], 'released migrations whose SQL changed (their .ts or a file under migrations/sql/ was edited?): '
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
