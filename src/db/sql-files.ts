// The two places pgtrail's hand-written SQL is read from (docs/migrations.md):
// - sql/ is the working copy: the current definition of each object, what the next migration
//   installs, plus the files read at run time (capture templates, the DDL event triggers);
// - migrations/sql/<migration>/ is what a released migration installs, frozen at its release, so
//   that an edit to sql/ cannot change what a fresh install gets.
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../package-root.ts';

/** The folder of the released migrations' frozen SQL, one subfolder per migration. */
export const FROZEN_SQL_DIR = join(packageRoot, 'migrations', 'sql');

/** Reads a file of the working copy `sql/` (paths relative to that folder). */
export function readSql(relativePath: string): string {
  return readFileSync(join(packageRoot, 'sql', inside(relativePath)), 'utf8');
}

/**
 * Reads a file of a released migration's frozen SQL, `migrations/sql/<migration>/<relativePath>`:
 * for a migration's down, the definition it puts back, as the release that installed it froze it.
 */
export function readReleased(migration: string, relativePath: string): string {
  return readFileSync(join(FROZEN_SQL_DIR, inside(migration), inside(relativePath)), 'utf8');
}

/**
 * The reader of a released migration's own frozen SQL; the migration calls it with its own
 * `import.meta.url`, so it cannot read another migration's copy by mistake. The name is the file's
 * without extension: the same for the .ts in a checkout and the .js built into dist/migrations.
 */
export function frozenSql(migrationUrl: string): (relativePath: string) => string {
  const migration = basename(fileURLToPath(migrationUrl)).replace(/\.[cm]?[jt]s$/, '');
  return (relativePath) => readReleased(migration, relativePath);
}

function inside(relativePath: string): string {
  if (isAbsolute(relativePath) || relativePath.split(/[\\/]/).includes('..')) {
    throw new Error(`SQL file path must stay inside its folder: ${relativePath}`);
  }
  return relativePath;
}
