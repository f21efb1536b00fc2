import { UserError } from '../db/errors.ts';
import type { Queryable } from '../db/queryable.ts';

/** Fails with advice when pgtrail's schema is not in this database yet. */
export async function requireInstalled(db: Queryable): Promise<void> {
  const { rows } = await db.query(`SELECT to_regclass('audit.audited_tables') IS NOT NULL AS ok`);
  if (!rows[0].ok) {
    throw new UserError('pgtrail is not installed in this database', { hint: 'run `pgtrail migrate` first' });
  }
}
