// Turning any error into what the CLI prints and its exit code. User errors (bad input, no
// database, missing privilege) are one line plus an optional hint, exit 2; anything else is a
// bug or an outage, exit 1, with the stack only when PGTRAIL_DEBUG is set.
import { sqlState, SqlState, UserError } from '../db/errors.ts';

export interface Report {
  exitCode: 1 | 2;
  lines: string[];
}

/** SQLSTATE classes that describe the caller's environment rather than a bug in pgtrail. */
const userClasses = new Set(['08', '28', '3D', '3F', '57']);

export function report(thrown: unknown, debug: boolean): Report {
  const error = decisive(thrown);
  if (error instanceof UserError) {
    return { exitCode: 2, lines: [`pgtrail: ${error.message}`, ...(error.hint ? [`hint: ${error.hint}`] : [])] };
  }
  const code = sqlState(error);
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    const pgHint = (error as { hint?: string }).hint;
    if (code === SqlState.insufficientPrivilege) {
      return {
        exitCode: 2,
        lines: [`pgtrail: permission denied: ${message} (SQLSTATE ${code})`, `hint: ${pgHint ?? 'connect as the owner of the objects involved, or a role that has been granted the privilege'}`],
      };
    }
    const lines = [`pgtrail: PostgreSQL error: ${message} (SQLSTATE ${code})`, ...(pgHint ? [`hint: ${oneLine(pgHint)}`] : [])];
    if (userClasses.has(code.slice(0, 2))) return { exitCode: 2, lines };
    return { exitCode: 1, lines: debug ? [...lines, stack(error)] : lines };
  }
  const lines = [`pgtrail: unexpected error: ${message}`];
  if (debug) lines.push(stack(error));
  else lines.push('hint: set PGTRAIL_DEBUG=1 to see the stack trace');
  return { exitCode: 1, lines };
}

/**
 * Libraries wrap errors (node-pg-migrate: `new Error('Error loading migration files: …', { cause })`);
 * what decides the exit code is a UserError or a PostgreSQL error further down the cause chain.
 */
function decisive(error: unknown): unknown {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof UserError || sqlState(e)) return e;
  }
  return error;
}

/** One line: some libraries put a whole stack trace into the message. */
export function oneLine(text: string): string {
  return text.split(/\n\s+at /)[0].replace(/\s*\n\s*/g, ' ').trim();
}

function stack(error: unknown): string {
  return error instanceof Error && error.stack ? error.stack : String(error);
}
