/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// API tokens in the console (admins only): list, create (shown once, on the response to the
// POST, never stored or redirected with), revoke. Recorded as api_token.create / api_token.revoke
// with the admin as the actor.
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { withAuditContext } from '../../audit/context.ts';
import { UserError } from '../../db/errors.ts';
import { principalContext } from '../../accounts/roles.ts';
import { insertToken, listTokens, markRevoked, type TokenInfo } from '../../accounts/tokens.ts';
import { TokensPage } from '../../../views/tokens.tsx';
import type { AppDeps } from '../deps.ts';
import { clientInfo } from './request.ts';
import type { ConsoleEnv } from './env.ts';
import { requireAbility } from './session.ts';
import { z } from 'zod';
import { formText, roleField } from '../schemas.ts';
import { form, idParams } from './validators.ts';

const createForm = z.object({ name: formText(200).transform((name) => name.trim()), role: roleField });

export function tokenRoutes(deps: AppDeps) {
  const app = new Hono<ConsoleEnv>();
  app.use('/tokens', requireAbility('manageUsers'));
  app.use('/tokens/*', requireAbility('manageUsers'));

  const page = async (c: Context<ConsoleEnv>, status: ContentfulStatusCode, extra: { error?: string; notice?: string; created?: TokenInfo & { token: string } } = {}) =>
    c.html(<TokensPage tokens={await listTokens(deps.pool)} principal={c.get('principal')!} csrfToken={c.get('csrfToken')} {...extra} />, status);
  const asAdmin = <T,>(c: Context<ConsoleEnv>, work: (client: import('pg').PoolClient) => Promise<T>) =>
    withAuditContext(deps.pool, principalContext(c.get('principal')!, clientInfo(c, deps)), work);

  app.get('/tokens', (c) => page(c, 200, { notice: c.req.query('notice')?.slice(0, 200) }));

  app.post('/tokens', form(createForm, (c, error) => page(c, 400, { error })), async (c) => {
    const { name, role } = c.req.valid('form');
    try {
      const created = await asAdmin(c, (client) => insertToken(client, name, role, c.get('principal')!.name));
      c.header('Cache-Control', 'no-store');
      return page(c, 200, { created });
    } catch (error) {
      if (error instanceof UserError) return page(c, 400, { error: error.message });
      throw error;
    }
  });

  app.post('/tokens/:id/revoke', idParams({ id: 'a token' }), async (c) => {
    const { id } = c.req.valid('param');
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
