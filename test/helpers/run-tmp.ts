// The temporary directory of one `npm test` run (test/run.ts): TMPDIR points here for the suites
// and their child processes, so whatever they leave behind is found at the end, and removed. Runs
// that were killed before cleaning up (Ctrl+C, a timeout) are removed by the next run, unless
// their runner or their PostgreSQL is still alive (another run going on at the same time).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'pgtrail-test-';
const OWNER = 'run.pid';

export interface RunTmp {
  dir: string;
  /** Entries the suites left behind (the run's own bookkeeping excluded). */
  leftovers(): string[];
  remove(): void;
}

export function createRunTmp(): RunTmp {
  const base = tmpdir();
  removeStale(base);
  const dir = mkdtempSync(join(base, PREFIX));
  // As root the embedded server runs as `postgres`, which must reach its data folder in here.
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, OWNER), String(process.pid));
  // Child processes run through tsx, whose compile cache lives in the temporary directory: they
  // keep using the usual one (a cold cache per run would only be slower).
  const tsxCache = `tsx-${userInfo().uid}`;
  mkdirSync(join(base, tsxCache), { recursive: true });
  symlinkSync(join(base, tsxCache), join(dir, tsxCache));
  return {
    dir,
    leftovers: () => readdirSync(dir).filter((name) => name !== OWNER && name !== tsxCache),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function removeStale(base: string): void {
  for (const name of readdirSync(base)) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(base, name);
    const owner = readPid(join(dir, OWNER));
    if (owner === undefined || alive(owner)) continue; // no pid yet (just created) or still running
    const clusters = readdirSync(dir).map((entry) => readPid(join(dir, entry, 'postmaster.pid')));
    if (clusters.some((pid) => pid !== undefined && alive(pid))) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

function readPid(file: string): number | undefined {
  try {
    if (!existsSync(file)) return undefined;
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0], 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // unreadable (another user's cluster): treat as not there
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
