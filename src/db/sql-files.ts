import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root, whether pgtrail runs from a checkout or from node_modules. */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Reads a hand-written SQL file from `sql/` (paths relative to that folder). */
export function readSql(relativePath: string): string {
  return readFileSync(new URL(`../../sql/${relativePath}`, import.meta.url), 'utf8');
}
