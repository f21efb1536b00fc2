// `npm test`: starts a throwaway PostgreSQL (embedded by default; TEST_DATABASE_URL for any other
// server, e.g. one with pg_cron), migrates a template database, runs every uvu suite against
// clones of it, and ends with one line `N passed, N failed`.
// uvu's own exec() is replaced by the loop below because it counts a suite whose `before` hook
// threw as passing; here every test that did not pass is a failure.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { startEmbedded, type RunningPostgres } from '../src/embedded.ts';
import { migrate } from '../src/migrate.ts';
import { TEMPLATE_DB, urlFor } from './helpers/database.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
// `npm test -- capture,status` runs only the suites whose file names contain one of the words.
const filters = process.argv[2]?.split(',').filter(Boolean) ?? [];

async function main(): Promise<number> {
  let server: RunningPostgres | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    server = await startEmbedded();
    adminUrl = server.url;
  }
  process.env.PGTRAIL_TEST_ADMIN_URL = adminUrl;
  try {
    await prepareTemplate(adminUrl);
    return await runSuites();
  } finally {
    await server?.stop();
  }
}

async function prepareTemplate(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const client = new pg.Client({ connectionString: urlFor(TEMPLATE_DB, adminUrl) });
  await client.connect();
  await migrate(client);
  await client.end();
}

type Runner = () => Promise<[string | true, number, number, number]>;

async function runSuites(): Promise<number> {
  const g = globalThis as unknown as { UVU_DEFER: number; UVU_QUEUE: Array<Array<string | Runner>>; UVU_INDEX: number };
  g.UVU_DEFER = 1;
  g.UVU_QUEUE = [];
  const files = readdirSync(here).filter((f) => f.endsWith('.test.ts') && (filters.length === 0 || filters.some((w) => f.includes(w)))).sort();
  for (const [index, file] of files.entries()) {
    g.UVU_INDEX = index;
    g.UVU_QUEUE.push([file]);
    await import(pathToFileURL(join(here, file)).href);
  }
  let passed = 0, failed = 0, skipped = 0;
  for (const group of g.UVU_QUEUE) {
    process.stdout.write(`\n${group.shift()}\n`);
    for (const run of group as Runner[]) {
      const [errors, ran, skip, total] = await run();
      passed += ran;
      skipped += skip;
      failed += total - ran;
      if (errors !== true) process.stdout.write(`\n${errors}\n`);
    }
  }
  process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  return failed > 0 || passed === 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
