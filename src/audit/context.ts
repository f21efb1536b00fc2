// Telling the database who is acting, from TypeScript. The context is transaction-local, so it
// is set inside the transaction that does the writes and vanishes with it.
import type pg from 'pg';
import { inTransaction } from '../db/transaction.ts';

/** Who can act: the event record's actor_type (db_role: no context was set, the database role is the actor). */
export const ACTOR_TYPES = ['user', 'api_token', 'system', 'db_role'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];
/** How the console names each actor type. */
export const ACTOR_TYPE_LABELS: Record<ActorType, string> = { user: 'user', api_token: 'API token', system: 'system', db_role: 'database role' };

export interface AuditContext {
  actorType: ActorType;
  actorId?: string | number;
  actorName?: string;
  ip?: string;
  userAgent?: string;
  requestId?: string;
  /** Extra context copied into every event's metadata. */
  metadata?: Record<string, unknown>;
}

/** The JSON that audit.set_context takes (snake_case keys, the event record's names). */
function contextJson(context: AuditContext): Record<string, unknown> {
  return {
    actor_type: context.actorType,
    actor_id: context.actorId === undefined ? undefined : String(context.actorId),
    actor_name: context.actorName,
    ip: context.ip,
    user_agent: context.userAgent,
    request_id: context.requestId,
    metadata: context.metadata,
  };
}

/** Sets the context on a client that is already inside a transaction. */
export async function setAuditContext(client: pg.ClientBase, context: AuditContext): Promise<void> {
  await client.query('SELECT audit.set_context($1::jsonb)', [JSON.stringify(contextJson(context))]);
}

/**
 * Runs `work` in one transaction whose writes are attributed to `context`. Commits when `work`
 * resolves, rolls back (business rows and audit rows together) when it throws.
 */
export async function withAuditContext<T>(pool: pg.Pool, context: AuditContext, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, async (client) => {
    await setAuditContext(client, context);
    return work(client);
  });
}
