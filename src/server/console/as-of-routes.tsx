/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// A record as it was at a chosen time, and the difference between two times:
//   GET /records/as-of?target_type=…&target_id=…[&at=…][&compare=…][&event=…]
// (parameters: src/query/record/request.ts). Every role may read it (the view ability). Bad input
// is a 400 page with the form and what was wrong; a record without history a 404 saying so.
import { Hono } from 'hono';
import { UserError } from '../../db/errors.ts';
import { NoHistoryError, recordAsOf, type AsOfResult } from '../../query/record/as-of.ts';
import { parseAsOfParams } from '../../query/record/request.ts';
import { AsOfPage, type AsOfPageProps } from '../../../views/as-of.tsx';
import type { AppDeps } from '../deps.ts';
import { duration, isQueryTimeout, TIMEOUT_STATUS } from '../query-timeout.ts';
import type { ConsoleEnv } from './env.ts';
import { clock, requireAbility } from './session.ts';

export function asOfRoutes(deps: AppDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  // Bounded by statement_timeout when serve.ts gives a pool for it (AppDeps.reads).
  const reads = deps.reads?.pool ?? deps.pool;

  app.get('/records/as-of', requireAbility('view'), async (c) => {
    const params = new URL(c.req.url).searchParams;
    const field = (key: string) => (params.get(key) ?? '').slice(0, 1024);
    const form = { target_type: field('target_type'), target_id: field('target_id'), at: field('at'), compare: field('compare') };
    let result: AsOfResult | undefined;
    let error: AsOfPageProps['error'];
    try {
      result = await recordAsOf(reads, parseAsOfParams(params), clock(deps));
    } catch (e) {
      if (e instanceof NoHistoryError) error = { status: 404, message: e.message };
      else if (e instanceof UserError) error = { status: 400, message: e.message };
      else if (isQueryTimeout(e)) error = { status: TIMEOUT_STATUS, message: `reconstructing the record took longer than ${duration(deps.reads?.timeoutMs)}; try again` };
      else throw e;
    }
    c.header('Cache-Control', 'no-store');
    return c.html(<AsOfPage form={form} result={result} error={error} principal={c.get('principal')!} csrfToken={c.get('csrfToken')} />, error?.status ?? 200);
  });

  return app;
}
