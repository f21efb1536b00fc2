// While `npm start` runs an embedded PostgreSQL, it records the server's address beside the data
// directory (`.pgtrail/data` → `.pgtrail/data.embedded.json`), so `pgtrail --embedded <command>`
// can reach the same cluster. Written after the server is up, removed when it stops; a file left
// behind by a killed process is recognised by its dead pid.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../db/errors.ts';

export interface EmbeddedState {
  /** DATABASE_URL of the running server (superuser on the loopback address). */
  url: string;
  port: number;
  /** The process that started the server and will stop it. */
  pid: number;
  dataDir: string;
  startedAt: string;
}

export function statePath(dataDir: string): string {
  const dir = resolve(dataDir);
  return join(dirname(dir), `${basename(dir)}.embedded.json`);
}

export function writeState(state: EmbeddedState): string {
  const path = statePath(state.dataDir);
  // The URL holds the (fixed, loopback-only) password: readable by this user only.
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/** Removes the record, but only if this process wrote it (never another running instance's). */
export function removeState(dataDir: string, pid = process.pid): void {
  const state = readState(dataDir);
  if (state?.pid === pid) rmSync(statePath(dataDir), { force: true });
}

function readState(dataDir: string): EmbeddedState | null {
  try {
    const state = JSON.parse(readFileSync(statePath(dataDir), 'utf8')) as EmbeddedState;
    return typeof state.url === 'string' && Number.isInteger(state.pid) ? state : null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function embeddedIsRunning(dataDir: string): boolean {
  const state = readState(dataDir);
  return state !== null && isAlive(state.pid);
}

/** The URL of the embedded server `npm start` runs on dataDir; a UserError when none runs. */
export function runningEmbeddedUrl(dataDir: string): string {
  const state = readState(dataDir);
  const where = resolve(dataDir);
  const start = 'start it with `npm start` (in the pgtrail checkout) and keep it running';
  if (!state) throw new UserError(`--embedded: no embedded PostgreSQL is running for ${where}`, { hint: `${start}, or set PGTRAIL_DATA_DIR to the data directory it uses` });
  if (!isAlive(state.pid)) throw new UserError(`--embedded: the process that ran the embedded PostgreSQL for ${where} (pid ${state.pid}) is gone`, { hint: start });
  return state.url;
}
