/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The Integrity page (admins and auditors: the export ability, as for the seal chain in the API):
// the seal chain and the last verify; POST /integrity/verify runs verify on demand (never on page
// load), records the outcome as an integrity.verify event, and shows the report.
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { withAuditContext } from '../../audit/context.ts';
import { recordVerify, sealSummary } from '../../integrity/console-summary.ts';
import { isFingerprint } from '../../integrity/keys.ts';
import { reportText } from '../../integrity/report-text.ts';
import { verifyTrail } from '../../integrity/verify.ts';
import { IntegrityPage, type IntegrityProps } from '../../../views/integrity.tsx';
import { principalContext } from '../../accounts/roles.ts';
import type { AppDeps } from '../deps.ts';
import type { ConsoleEnv } from './env.ts';
import { clientInfo } from './request.ts';
import { requireAbility } from './session.ts';
import { z } from 'zod';
import { formText } from '../schemas.ts';
import { form } from './validators.ts';

// The chain is one row per sealing run; the page shows the newest ones.
const CHAIN_ROWS = 200;

// Empty means "any registered key".
const verifyForm = z.object({
  key: formText(200).optional().transform((key) => key?.trim().toLowerCase() ?? '')
    .refine((key) => key === '' || isFingerprint(key), { error: 'must be 64 hexadecimal characters (pgtrail seal-key list prints it), or empty.' }),
});

export function integrityRoutes(deps: AppDeps) {
  const app = new Hono<ConsoleEnv>();
  app.use('/integrity', requireAbility('export'));
  app.use('/integrity/*', requireAbility('export'));

  const page = async (c: Context<ConsoleEnv>, status: ContentfulStatusCode, extra: Pick<IntegrityProps, 'report' | 'error'> = {}) => {
    const summary = await sealSummary(deps.pool);
    const chain = summary.installed
      ? (await deps.pool.query(
        `SELECT seq::text, to_char(sealed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "sealedAt", event_count::text AS count,
                first_id::text AS "firstId", last_id::text AS "lastId", key_fingerprint AS "keyFingerprint",
                jsonb_array_length(expired) AS expired
           FROM audit.seals ORDER BY seq DESC LIMIT $1`, [CHAIN_ROWS])).rows
      : [];
    return c.html(<IntegrityPage principal={c.get('principal')!} csrfToken={c.get('csrfToken')} summary={summary} chain={chain} {...extra} />, status);
  };

  app.get('/integrity', (c) => page(c, 200));

  app.post('/integrity/verify', form(verifyForm, (c, error) => page(c, 400, { error }), { key: 'Expected key fingerprint' }), async (c) => {
    const { key } = c.req.valid('form');
    if (!(await sealSummary(deps.pool)).installed) return page(c, 400, { error: 'This database has no seal tables yet: run `pgtrail migrate`.' });
    // Two connections recompute the digests (verify's --jobs default).
    const [client, helper] = await Promise.all([deps.pool.connect(), deps.pool.connect()]);
    let report;
    try {
      report = await verifyTrail(client, { keys: key ? [key] : [], helpers: [helper] });
    } finally {
      client.release();
      helper.release();
    }
    await withAuditContext(deps.pool, principalContext(c.get('principal')!, clientInfo(c, deps)), (tx) => recordVerify(tx, report));
    return page(c, 200, { report: reportText(report) });
  });

  return app;
}
