// Where pgtrail's files are at run time. From a checkout the sources run as they are (this file is
// src/package-root.ts); the installed package runs its build (dist/src/package-root.js), while the
// files that ship as they are (package.json, sql/, views/assets/) stay at the package root.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder whose src/ and migrations/ hold the code that runs: the checkout, or the package's dist/. */
export const codeRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The folder with package.json, sql/ and views/assets/, whether pgtrail runs from a checkout or from node_modules. */
export const packageRoot = existsSync(join(codeRoot, 'package.json')) ? codeRoot : dirname(codeRoot);
