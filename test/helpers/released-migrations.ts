// pgtrail's own migrations as the frozen-migration tests see them: the names, the pins of the
// released ones (test/fixtures/released-migrations.sha256) and the SQL each queues.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
const PIN_FILE = new URL('../fixtures/released-migrations.sha256', import.meta.url);

/** The migrations in order: the .ts files of migrations/ (its sql/ folder holds the frozen SQL, not migrations). */
export function migrationNames(): string[] {
  return readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
}

/** "0001_core up" → sha256 of the SQL it queues, for every released migration. */
export function readPins(): Map<string, string> {
  const pins = new Map<string, string>();
  for (const line of readFileSync(PIN_FILE, 'utf8').split('\n')) {
    const m = line.match(/^([0-9a-f]{64}) {2}(\S+ (?:up|down))$/);
    if (m) pins.set(m[2], m[1]);
  }
  return pins;
}

/** The released migrations: those with pins. */
export function releasedNames(): string[] {
  const pins = readPins();
  return migrationNames().filter((m) => pins.has(`${m} up`));
}

/** The SQL a migration queues in one direction, joined as it is hashed in the pin file. */
export async function queued(name: string, direction: 'up' | 'down'): Promise<string> {
  const migration = await import(pathToFileURL(join(MIGRATIONS_DIR, `${name}.ts`)).href);
  const out: string[] = [];
  await migration[direction]({ sql: (sql: string) => out.push(sql) });
  return out.join('\n;\n');
}
