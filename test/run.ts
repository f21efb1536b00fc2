// `npm test`: starts a throwaway PostgreSQL (embedded by default; TEST_DATABASE_URL for any other
// server, e.g. one with pg_cron), migrates a template database, runs every uvu suite against
// clones of it, and ends with one line `N passed, N failed, N skipped`.
// uvu's own exec() is replaced by the loop below because it counts a suite whose `before` hook
// threw as passing; here every test that did not pass is a failure, except the tests of a suite
// whose hook found something it needs missing (helpers/requirements.ts): skipped, with the reason,
// unless that thing is required here (CI).
// The run gets a temporary directory of its own (helpers/run-tmp.ts); whatever the suites leave in
// it is listed and counts as a failure, so a run leaves nothing behind.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { startEmbedded, type RunningPostgres } from '../src/embedded/server.ts';
import { migrate } from '../src/install/migrate.ts';
import { TEMPLATE_DB, urlFor } from './helpers/database.ts';
import { takeMissing } from './helpers/requirements.ts';
import { createRunTmp } from './helpers/run-tmp.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
// `npm test -- capture,status` runs only the suites whose file names contain one of the words.
const filters = process.argv[2]?.split(',').filter(Boolean) ?? [];

interface Counts { passed: number; failed: number; skipped: number }

async function main(): Promise<number> {
  const runTmp = createRunTmp();
  process.env.TMPDIR = runTmp.dir;
  let counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  try {
    counts = await withServer(runSuites);
  } catch (error) {
    console.error(error);
    counts.failed += 1;
  }
  const left = runTmp.leftovers();
  if (left.length > 0) {
    process.stdout.write(`\nleft behind in the temporary directory by the suites (removed now): ${left.join(', ')}\n`);
    counts.failed += 1;
  }
  runTmp.remove();
  process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  return counts.failed > 0 || counts.passed + counts.skipped === 0 ? 1 : 0;
}

async function withServer(run: () => Promise<Counts>): Promise<Counts> {
  let server: RunningPostgres | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    server = await startEmbedded();
    adminUrl = server.url;
  }
  process.env.PGTRAIL_TEST_ADMIN_URL = adminUrl;
  try {
    await prepareTemplate(adminUrl);
    return await run();
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

async function runSuites(): Promise<Counts> {
  const g = globalThis as unknown as { UVU_DEFER: number; UVU_QUEUE: Array<Array<string | Runner>>; UVU_INDEX: number };
  g.UVU_DEFER = 1;
  g.UVU_QUEUE = [];
  const files = readdirSync(here).filter((f) => f.endsWith('.test.ts') && (filters.length === 0 || filters.some((w) => f.includes(w)))).sort();
  for (const [index, file] of files.entries()) {
    g.UVU_INDEX = index;
    g.UVU_QUEUE.push([file]);
    await import(pathToFileURL(join(here, file)).href);
  }
  const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  for (const group of g.UVU_QUEUE) {
    process.stdout.write(`\n${group.shift()}\n`);
    for (const run of group as Runner[]) {
      const [errors, ran, skip, total] = await run();
      const notRun = total - ran;
      counts.passed += ran;
      counts.skipped += skip;
      const missing = takeMissing();
      for (const m of missing) {
        const verdict = m.required ? `FAILED, required here (${m.required})` : `skipped ${plural(notRun, 'test')}`;
        process.stdout.write(`  ${m.suite}: ${verdict} — ${m.reason}; ${m.remedy}\n`);
      }
      if (missing.length > 0 && missing.every((m) => !m.required)) counts.skipped += notRun;
      else counts.failed += notRun;
      if (errors !== true) process.stdout.write(`\n${errors}\n`);
      else if (notRun > 0 && missing.length === 0) {
        process.stdout.write(`  ${plural(notRun, 'test')} did not run: a before or after hook threw (uvu drops its error)\n`);
      }
    }
  }
  return counts;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
