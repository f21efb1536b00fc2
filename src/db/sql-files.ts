import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.ts';

/** Reads a hand-written SQL file from `sql/` (paths relative to that folder). */
export function readSql(relativePath: string): string {
  return readFileSync(join(packageRoot, 'sql', relativePath), 'utf8');
}
