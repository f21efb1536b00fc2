/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// API tokens in the console (admins only): list, create (shown once, on the response to the
// POST, never stored or redirected with), revoke. Recorded as api_token.create / api_token.revoke
// with the admin as the actor.
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { withAuditContext } from '../../audit/context.ts';
import { UserError } from '../../db/errors.ts';
import { principalContext, parseRole } from '../../accounts/roles.ts';
import { insertToken, listTokens, markRevoked, type TokenInfo } from '../../accounts/tokens.ts';
import { TokensPage } from '../../../views/tokens.tsx';
import type { AppDeps } from '../deps.ts';
import { clientInfo } from './request.ts';
import type { ConsoleEnv } from './env.ts';
import { requireAbility } from './session.ts';
import { isBigintId } from '../../db/ids.ts';

export function tokenRoutes(deps: AppDeps) {
  const app = new Hono<ConsoleEnv>();
  app.use('/tokens', requireAbility('manageUsers'));
  app.use('/tokens/*', requireAbility('manageUsers'));

  const page = async (c: Context<ConsoleEnv>, status: ContentfulStatusCode, extra: { error?: string; notice?: string; created?: TokenInfo & { token: string } } = {}) =>
    c.html(<TokensPage tokens={await listTokens(deps.pool)} principal={c.get('principal')!} csrfToken={c.get('csrfToken')} {...extra} />, status);
  const asAdmin = <T,>(c: Context<ConsoleEnv>, work: (client: import('pg').PoolClient) => Promise<T>) =>
    withAuditContext(deps.pool, principalContext(c.get('principal')!, clientInfo(c, deps)), work);

  app.get('/tokens', (c) => page(c, 200, { notice: c.req.query('notice')?.slice(0, 200) }));

  app.post('/tokens', async (c) => {
    const body = await c.req.parseBody();
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    try {
      const role = parseRole(typeof body.role === 'string' ? body.role : '');
      const created = await asAdmin(c, (client) => insertToken(client, name, role, c.get('principal')!.name));
      c.header('Cache-Control', 'no-store');
      return page(c, 200, { created });
    } catch (error) {
      if (error instanceof UserError) return page(c, 400, { error: error.message });
      throw error;
    }
  });

  app.post('/tokens/:id/revoke', async (c) => {
    const id = c.req.param('id');
    if (!isBigintId(id)) return page(c, 400, { error: `"${id.slice(0, 40)}" is not a token id.` });
    try {
      const revoked = await asAdmin(c, (client) => markRevoked(client, id));
      return c.redirect(`/tokens?notice=${encodeURIComponent(`Revoked "${revoked.name}".`)}`, 303);
    } catch (error) {
      if (error instanceof UserError) return page(c, 404, { error: `No live token #${id} (revoked already?).` });
      throw error;
    }
  });

  return app;
}
