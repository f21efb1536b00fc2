/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Managing console users (admins only). Changes run with the admin as the audit actor.
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { withAuditContext } from '../../context.ts';
import { UserError } from '../../db/errors.ts';
import { addUser, countAdmins, listUsers, removeUser } from '../../console/users.ts';
import { principalContext } from '../auth/principal.ts';
import { UsersPage } from '../../../views/users.tsx';
import type { AppDeps } from '../deps.ts';
import { clientInfo } from './request.ts';
import type { ConsoleEnv } from './env.ts';
import { requireAbility } from './session.ts';

export function userRoutes(deps: AppDeps) {
  const app = new Hono<ConsoleEnv>();
  app.use('/users', requireAbility('manageUsers'));
  app.use('/users/*', requireAbility('manageUsers'));

  const page = async (c: Context<ConsoleEnv>, status: ContentfulStatusCode, extra: { error?: string; notice?: string } = {}) =>
    c.html(<UsersPage users={await listUsers(deps.pool)} principal={c.get('principal')!} csrfToken={c.get('csrfToken')} {...extra} />, status);
  const context = (c: Context<ConsoleEnv>) => principalContext(c.get('principal')!, clientInfo(c, deps));

  app.get('/users', (c) => page(c, 200, { notice: c.req.query('notice')?.slice(0, 200) }));

  app.post('/users', async (c) => {
    const body = await c.req.parseBody();
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    try {
      const user = await withAuditContext(deps.pool, context(c), (client) => addUser(client, text(body.email), text(body.role), text(body.password)));
      return c.redirect(`/users?notice=${encodeURIComponent(`Added ${user.email} (${user.role}).`)}`, 303);
    } catch (error) {
      if (error instanceof UserError) return page(c, 400, { error: error.message });
      throw error;
    }
  });

  app.post('/users/:id/delete', async (c) => {
    const id = c.req.param('id');
    if (!/^\d{1,18}$/.test(id)) return page(c, 400, { error: 'Not a user id.' });
    if (id === c.get('principal')!.id) return page(c, 400, { error: 'You cannot remove yourself; ask another admin.' });
    const removed = await withAuditContext(deps.pool, context(c), async (client) => {
      const user = await removeUser(client, id);
      // Never leave the console without an admin (the transaction rolls back, event included).
      if (user?.role === 'admin' && (await countAdmins(client)) === 0) throw new UserError('That is the last admin.');
      return user;
    }).catch((error) => (error instanceof UserError ? error : Promise.reject(error)));
    if (removed instanceof UserError) return page(c, 400, { error: removed.message });
    if (!removed) return page(c, 404, { error: 'No such user (already removed?).' });
    return c.redirect(`/users?notice=${encodeURIComponent(`Removed ${removed.email}; their sessions have ended.`)}`, 303);
  });

  return app;
}
