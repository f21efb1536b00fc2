#!/usr/bin/env node
// The `pgtrail` command. The installed package runs its build (dist/, plain JavaScript, no loader).
// A checkout, which has src/, runs the sources through tsx (a devDependency), so an edit is live
// without a build and a dist/ left behind by `npm pack` is never run stale. Our own tsconfig is
// named explicitly so that running from another project's directory never picks up its settings.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const source = new URL('src/cli/main.ts', root);
let entry = new URL('dist/src/cli/main.js', root);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('tsconfig.json', root)) });
  entry = source;
}
const { main } = await import(entry.href);
// exitCode rather than exit(): lets buffered stdout (a large `status --json`) drain first.
process.exitCode = await main(process.argv.slice(2));
