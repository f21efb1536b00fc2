// Runs the real `pgtrail` binary as a child process, from a neutral directory, so CLI suites see
// exactly what a user's shell would: exit code, stdout, stderr.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../../bin/pgtrail.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `pgtrail …args` with DATABASE_URL = url (unset when url is undefined); extra env merged in. */
export function cli(url: string | undefined, ...args: string[]): Promise<Run> {
  return cliWithEnv(url, {}, ...args);
}

export function cliWithEnv(url: string | undefined, extra: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.DATABASE_URL;
  delete env.PGTRAIL_DEBUG;
  if (url) env.DATABASE_URL = url;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd: tmpdir() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
