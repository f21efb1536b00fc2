#!/usr/bin/env node
// The `pgtrail` command. pgtrail ships its TypeScript sources and runs them through tsx (a runtime
// dependency), so there is no build step. Our own tsconfig is named explicitly so that running
// from another project's directory never picks up that project's compiler settings.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/cli/main.ts');
// exitCode rather than exit(): lets buffered stdout (a large `status --json`) drain first.
process.exitCode = await main(process.argv.slice(2));
