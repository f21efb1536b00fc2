// Running a revert: one transaction, all or nothing. Each statement runs under an audit context
// whose metadata names the event it reverts, so the capture triggers record the revert as ordinary
// row-change events linking the original (metadata.reverts). Inside the transaction each row is
// locked and checked again, so a change made after the preview is never overwritten silently.
import { setAuditContext, type AuditContext } from '../audit/context.ts';
import { sqlState } from '../db/errors.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Queryable } from '../db/queryable.ts';
import { judgeRow, pinCanonicalSettings, readRow } from './check.ts';
import type { Step } from './plan.ts';
import { canRun, type Preview } from './preview.ts';

/** Refused before anything was written; `reasons` say why. */
export class RevertRefused extends Error {
  constructor(readonly reasons: string[]) {
    super(reasons.join('; '));
  }
}

/** PostgreSQL refused a statement; the transaction was rolled back, nothing changed. */
export class RevertFailed extends Error {}

export interface RevertOptions {
  /** Run although the row changed since (the preview showed the newer changes). */
  override: boolean;
  /** Who acts: a console principal's context, or 'db_role': the connection's role, as without any context. */
  actor: AuditContext | 'db_role';
}

export interface RevertDone {
  /** The transaction that recorded the revert's events. */
  txId: string;
  statements: number;
}

function metadata(preview: Preview, step: Step): Record<string, unknown> {
  return preview.selector.kind === 'tx' ? { reverts: step.event.id, reverts_tx: step.event.tx_id } : { reverts: step.event.id };
}

async function declare(client: Queryable, actor: RevertOptions['actor'], meta: Record<string, unknown>): Promise<void> {
  if (actor !== 'db_role') {
    await setAuditContext(client as Parameters<typeof setAuditContext>[0], { ...actor, metadata: { ...actor.metadata, ...meta } });
    return;
  }
  // The same attribution audit.current_context() gives a session without context, plus the link.
  await client.query(
    `SELECT audit.set_context(pg_catalog.jsonb_build_object('actor_type', 'db_role', 'actor_id', session_user,
       'actor_name', session_user, 'ip', pg_catalog.host(pg_catalog.inet_client_addr()), 'metadata', $1::jsonb))`,
    [JSON.stringify(meta)]);
}

/** `preview` must be fresh (built right before, on the same database). */
export async function runRevert(client: Queryable, preview: Preview, options: RevertOptions): Promise<RevertDone> {
  if (!canRun(preview, options.override)) {
    const reasons = preview.blocked.length > 0 || preview.plan.steps.length === 0 ? preview.blocked : preview.changed;
    throw new RevertRefused(reasons.length > 0 ? reasons : ['nothing to revert']);
  }
  try {
    return await inTransaction(client, async (tx) => {
      await pinCanonicalSettings(tx);
      const txId: string = (await tx.query('SELECT pg_catalog.txid_current()::text AS id')).rows[0].id;
      for (const step of preview.plan.steps) {
        const verdict = judgeRow(step, await readRow(tx, step, true));
        if (verdict.blocked) throw new RevertRefused([verdict.blocked]);
        if (verdict.changed && !options.override) throw new RevertRefused([verdict.changed]);
        await declare(tx, options.actor, metadata(preview, step));
        const result = await tx.query(step.statement.text, step.statement.values) as { rowCount?: number | null };
        if (result.rowCount !== 1) throw new RevertRefused([`reverting event #${step.event.id} would change ${result.rowCount ?? 0} rows of ${step.table.name}, not one`]);
      }
      return { txId, statements: preview.plan.steps.length };
    });
  } catch (error) {
    if (error instanceof RevertRefused || !sqlState(error)) throw error;
    throw new RevertFailed(`PostgreSQL refused the revert, so nothing was changed: ${(error as Error).message}`, { cause: error });
  }
}
