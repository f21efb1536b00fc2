// Errors a user can act on, and the SQLSTATEs pgtrail reacts to.

/** A mistake in input or environment: shown as one line (CLI exit code 2), never as a stack. */
export class UserError extends Error {
  readonly hint?: string;
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = 'UserError';
    this.hint = options?.hint;
  }
}

/** SQLSTATE codes (PostgreSQL appendix A) that pgtrail turns into advice, or that its tests and benchmarks expect. */
export const SqlState = {
  undefinedTable: '42P01',
  undefinedFunction: '42883',
  invalidSchemaName: '3F000',
  insufficientPrivilege: '42501',
  invalidParameterValue: '22023',
  lockNotAvailable: '55P03',
  connectionFailure: '08006',
  cannotConnectNow: '57P03',
  /** statement_timeout, or a cancel request. */
  queryCanceled: '57014',
  invalidCatalogName: '3D000',
  invalidPassword: '28P01',
  invalidAuthorization: '28000',
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  /** A statement in a transaction that an earlier error aborted. */
  inFailedSqlTransaction: '25P02',
  /** The backend was terminated (pg_terminate_backend, or a shutdown). */
  adminShutdown: '57P01',
  /** A warning: BEGIN inside a transaction. */
  activeSqlTransaction: '25001',
} as const;

export function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

const connectionCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN']);

/** Turns driver errors that mean "nothing to talk to" into advice; other errors pass through. */
export function explainConnectionError(error: unknown, url: string): unknown {
  const code = sqlState(error);
  const where = redactUrl(url);
  if (code && connectionCodes.has(code)) {
    return new UserError(`cannot reach PostgreSQL at ${where} (${code}); check DATABASE_URL and that the server is running`, { cause: error });
  }
  if (code === SqlState.invalidCatalogName) return new UserError(`database in ${where} does not exist; create it or fix DATABASE_URL`, { cause: error });
  if (code === SqlState.invalidPassword || code === SqlState.invalidAuthorization) {
    return new UserError(`PostgreSQL refused the credentials in ${where}: ${(error as Error).message}`, { cause: error });
  }
  if (code === SqlState.cannotConnectNow) return new UserError(`PostgreSQL at ${where} is starting up or shutting down; try again`, { cause: error });
  return error;
}

/** A connection string safe to print: the password is masked. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}
