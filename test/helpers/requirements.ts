// Things a suite needs from outside the project (a browser, pg_cron on the test server). A suite's
// before hook calls requireOr(...) first; when the thing is missing the hook stops the suite, and
// test/run.ts counts the suite's tests as skipped, printing the reason and how to get it — or as
// failed where the thing is required (CI, or a leg that promises it), so CI never passes by skipping.
// The runner needs this record because uvu's runner swallows an error thrown by a before hook.

export class MissingRequirement extends Error {
  constructor(
    readonly suite: string,
    readonly reason: string,
    readonly remedy: string,
    /** Why it may not be skipped here (e.g. "CI=true"), or false. */
    readonly required: string | false,
  ) {
    super(`${suite}: ${reason}; ${remedy}`);
  }
}

const recorded: MissingRequirement[] = [];

/** CI=true (or 1): every requirement of every suite is required. */
export const inCI = ['true', '1'].includes(process.env.CI ?? '');

export interface Requirement {
  /** Whether the thing is there. */
  met: boolean;
  /** One line: what is missing, e.g. "/usr/bin/chromium not found". */
  reason: string;
  /** One line: how to get it, e.g. "install it with: sudo apt-get install chromium". */
  remedy: string;
  /** Why its absence is a failure here rather than a skip; defaults to "CI=true" in CI. */
  required?: string | false;
}

/** In a before hook: returns if `met`, else records the requirement and throws to stop the suite. */
export function requireOr(ctx: { __suite__: string }, r: Requirement): void {
  if (r.met) return;
  const missing = new MissingRequirement(ctx.__suite__, r.reason, r.remedy, r.required ?? (inCI ? `CI=${process.env.CI}` : false));
  recorded.push(missing);
  throw missing;
}

/** For test/run.ts: the requirements found missing since the last call. */
export function takeMissing(): MissingRequirement[] {
  return recorded.splice(0);
}
