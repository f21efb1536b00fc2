/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Revert one event or one transaction, as a recorded event (admins: ability `revert`).
//   GET  /events/:id/revert, /transactions/:tx/revert   the preview: the exact SQL, the row now and
//        after, every refusal with its reason (works without a revert role: SQL and checks only)
//   POST the same paths (CSRF)   builds the preview again and runs it on the revert pool, under the
//        admin's context; `override` (a checkbox shown only when the row changed since) is explicit.
// The console's own role cannot write application tables, so reverts run on AppDeps.revert only.
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isBigintId } from '../../db/ids.ts';
import type { Selector } from '../../revert/check.ts';
import { buildPreview, changesSeen } from '../../revert/preview.ts';
import { RevertFailed, RevertRefused, runRevert } from '../../revert/run.ts';
import { RevertPage, NOT_ENABLED } from '../../../views/revert.tsx';
import { principalContext } from '../../accounts/roles.ts';
import type { AppDeps } from '../deps.ts';
import type { ConsoleEnv } from './env.ts';
import { problem } from './problem.tsx';
import { clientInfo } from './request.ts';
import { requireAbility } from './session.ts';

export function revertRoutes(deps: AppDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  for (const path of ['/events/:id/revert', '/transactions/:id/revert']) app.use(path, requireAbility('revert'));

  const selector = (c: Context<ConsoleEnv>): Selector | string => {
    const id = c.req.param('id') ?? '';
    const kind = c.req.path.startsWith('/transactions/') ? 'tx' : 'event';
    if (!isBigintId(id)) return `"${id.slice(0, 40)}" is not ${kind === 'tx' ? 'a transaction' : 'an event'} id (a whole number).`;
    return { kind, id };
  };

  const page = async (c: Context<ConsoleEnv>, s: Selector, status: ContentfulStatusCode, error?: string) => {
    const preview = await buildPreview(deps.pool, deps.revert, s);
    if (!preview) {
      return problem(c, 404, 'Not found', s.kind === 'tx'
        ? `Transaction ${s.id} recorded no events; it may have expired under the retention setting.`
        : `There is no event ${s.id}; it may have expired under the retention setting.`);
    }
    return c.html(<RevertPage preview={preview} enabled={deps.revert !== undefined} principal={c.get('principal')!} csrfToken={c.get('csrfToken')} error={error} />, status);
  };

  const show = async (c: Context<ConsoleEnv>) => {
    const s = selector(c);
    return typeof s === 'string' ? problem(c, 400, 'Bad request', s) : page(c, s, 200);
  };

  const run = async (c: Context<ConsoleEnv>) => {
    const s = selector(c);
    if (typeof s === 'string') return problem(c, 400, 'Bad request', s);
    // An unreadable body (malformed multipart) is the client's error, not a 500.
    const body = await c.req.parseBody().catch(() => undefined);
    if (!body) return problem(c, 400, 'Bad request', 'the form could not be read.');
    const override = body.override === '1';
    if (body.override !== undefined && !override) return problem(c, 400, 'Bad request', 'override: must be "1" (the checkbox) or absent.');
    if (!deps.revert) return page(c, s, 403, NOT_ENABLED);
    // Built again now: the preview the admin saw may be minutes old.
    const preview = await buildPreview(deps.pool, deps.revert, s);
    if (!preview) return page(c, s, 404);
    if (override && body.seen !== changesSeen(preview)) {
      return page(c, s, 409, 'Not reverted: the row changed again since this page was shown; review the newer changes below and confirm again.');
    }
    try {
      const done = await runRevert(deps.revert, preview, { override, actor: principalContext(c.get('principal')!, clientInfo(c, deps)) });
      return c.redirect(`/events?tx_id=${done.txId}`, 303);
    } catch (error) {
      if (error instanceof RevertRefused) return page(c, s, 409, `Not reverted: ${error.message}.`);
      if (error instanceof RevertFailed) return page(c, s, 409, error.message);
      throw error;
    }
  };

  app.get('/events/:id/revert', show);
  app.get('/transactions/:id/revert', show);
  app.post('/events/:id/revert', run);
  app.post('/transactions/:id/revert', run);
  return app;
}
