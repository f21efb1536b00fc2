/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Managing console users (admins only): add, remove, change a role (user.role_change), disable /
// enable (user.disable / user.enable), reset a password (auth.password_reset), remove a second
// factor (auth.2fa_remove), end a session (auth.session_end), require 2FA for a role
// (auth.2fa_policy). Changes run with the admin as the audit actor.
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { withAuditContext } from '../../audit/context.ts';
import { UserError } from '../../db/errors.ts';
import { logUserEvent } from '../../accounts/log.ts';
import { removeSecondFactor, rolesRequiring2fa, setRoleRequires2fa } from '../../accounts/second-factor.ts';
import { endSession, listSessions } from '../../accounts/sessions.ts';
import { addUser, changeRole, countAdmins, getUser, listUsers, removeUser, resetPassword, setDisabled } from '../../accounts/users.ts';
import { principalContext, ROLES } from '../../accounts/roles.ts';
import { z } from 'zod';
import { UsersPage } from '../../../views/users.tsx';
import { TemporaryPasswordPage, UserPage } from '../../../views/user.tsx';
import type { AppDeps } from '../deps.ts';
import { clientInfo } from './request.ts';
import type { ConsoleEnv } from './env.ts';
import { clock, requireAbility, sessionPolicy } from './session.ts';
import { problem } from './problem.tsx';
import { formText, roleField } from '../schemas.ts';
import { form, idParams } from './validators.ts';

const userId = idParams({ id: 'a user' });
const addForm = z.object({ email: formText(320), role: roleField, password: formText(1024) });
const roleForm = z.object({ role: roleField });
// Unchecked boxes are not sent: none, one (a string) or several (an array).
const policyForm = z.object({
  require_2fa: z.union([z.string(), z.array(z.string())], { error: 'must be role names' }).optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.enum(ROLES, { error: (issue) => `"${String(issue.input).slice(0, 40)}" is not a role; use ${ROLES.join(', ')}` }))),
});

export function userRoutes(deps: AppDeps) {
  const app = new Hono<ConsoleEnv>();
  app.use('/users', requireAbility('manageUsers'));
  app.use('/users/*', requireAbility('manageUsers'));

  const page = async (c: Context<ConsoleEnv>, status: ContentfulStatusCode, extra: { error?: string; notice?: string } = {}) =>
    c.html(<UsersPage users={await listUsers(deps.pool)} require2fa={await rolesRequiring2fa(deps.pool)} principal={c.get('principal')!} csrfToken={c.get('csrfToken')} {...extra} />, status);
  const userPage = async (c: Context<ConsoleEnv>, id: string, status: ContentfulStatusCode, extra: { error?: string; notice?: string } = {}) => {
    const user = await getUser(deps.pool, id);
    if (!user) return problem(c, 404, 'Not found', `There is no user ${id}; they may have been removed.`);
    const sessions = await listSessions(deps.pool, sessionPolicy(deps), clock(deps), id);
    return c.html(<UserPage user={user} sessions={sessions} principal={c.get('principal')!} csrfToken={c.get('csrfToken')} sessionId={c.get('sessionId')} {...extra} />, status);
  };
  const context = (c: Context<ConsoleEnv>) => principalContext(c.get('principal')!, clientInfo(c, deps));
  const back = (id: string, notice: string) => `/users/${id}?notice=${encodeURIComponent(notice)}`;
  /** Runs a change as the admin; a UserError (bad role, last admin …) is the page's 400. */
  const change = async <T,>(c: Context<ConsoleEnv>, id: string, work: (client: import('pg').PoolClient) => Promise<T>) => {
    try {
      return { value: await withAuditContext(deps.pool, context(c), work) };
    } catch (error) {
      if (error instanceof UserError) return { response: await userPage(c, id, 400, { error: error.message }) };
      throw error;
    }
  };
  /** The user a route acts on (its :id, checked by userId); the admin may not do `selfRefused` things to themselves. */
  const target = (c: Context<ConsoleEnv>, id: string, selfRefused?: string): { id: string } | { response: Promise<Response> } => {
    if (selfRefused && id === c.get('principal')!.id) return { response: userPage(c, id, 400, { error: selfRefused }) };
    return { id };
  };
  const againUsers = (c: Context<ConsoleEnv>, error: string) => page(c, 400, { error });
  // A form hook runs after userId has checked :id, but is typed without the validated param.
  const againUser = (c: Context<ConsoleEnv>, error: string) => userPage(c, c.req.param('id') ?? '', 400, { error });

  app.get('/users', (c) => page(c, 200, { notice: c.req.query('notice')?.slice(0, 200) }));

  app.post('/users', form(addForm, againUsers), async (c) => {
    const body = c.req.valid('form');
    try {
      const user = await withAuditContext(deps.pool, context(c), (client) => addUser(client, body.email, body.role, body.password));
      return c.redirect(`/users?notice=${encodeURIComponent(`Added ${user.email} (${user.role}).`)}`, 303);
    } catch (error) {
      if (error instanceof UserError) return page(c, 400, { error: error.message });
      throw error;
    }
  });

  app.post('/users/policy', form(policyForm, againUsers), async (c) => {
    const chosen = c.req.valid('form').require_2fa;
    const changed = await withAuditContext(deps.pool, context(c), async (client) => {
      const done: string[] = [];
      for (const role of ROLES) {
        const required = chosen.includes(role);
        if (await setRoleRequires2fa(client, role, required)) {
          await logUserEvent(client, 'auth.2fa_policy', null, { role, require_2fa: required });
          done.push(`${role}: ${required ? 'required' : 'not required'}`);
        }
      }
      return done;
    });
    return c.redirect(`/users?notice=${encodeURIComponent(changed.length ? `Two-factor sign-in — ${changed.join('; ')}.` : 'Nothing changed.')}`, 303);
  });

  app.get('/users/:id', userId, (c) => {
    const t = target(c, c.req.valid('param').id);
    return 'response' in t ? t.response : userPage(c, t.id, 200, { notice: c.req.query('notice')?.slice(0, 200) });
  });

  app.post('/users/:id/role', userId, form(roleForm, againUser), async (c) => {
    const t = target(c, c.req.valid('param').id, 'You cannot change your own role; ask another admin.');
    if ('response' in t) return t.response;
    const { role } = c.req.valid('form');
    const r = await change(c, t.id, (client) => changeRole(client, t.id, role));
    if (r.response) return r.response;
    if (!r.value) return problem(c, 404, 'Not found', 'No such user (removed?).');
    const { user, from } = r.value;
    return c.redirect(back(t.id, from === user.role ? `${user.email} is ${user.role} already.` : `${user.email} is now ${user.role} (was ${from}).`), 303);
  });

  for (const [path, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post(`/users/:id/${path}`, userId, async (c) => {
      const t = target(c, c.req.valid('param').id, 'You cannot disable yourself; ask another admin.');
      if ('response' in t) return t.response;
      const r = await change(c, t.id, (client) => setDisabled(client, t.id, disabled));
      if (r.response) return r.response;
      if (!r.value) return problem(c, 404, 'Not found', 'No such user (removed?).');
      return c.redirect(back(t.id, disabled ? `${r.value.user.email} is disabled; ${r.value.sessionsEnded} session(s) ended.` : `${r.value.user.email} is enabled.`), 303);
    });
  }

  app.post('/users/:id/reset-password', userId, async (c) => {
    const t = target(c, c.req.valid('param').id, 'Change your own password on your account page.');
    if ('response' in t) return t.response;
    const r = await change(c, t.id, (client) => resetPassword(client, t.id));
    if (r.response) return r.response;
    if (!r.value) return problem(c, 404, 'Not found', 'No such user (removed?).');
    c.header('Cache-Control', 'no-store');
    return c.html(<TemporaryPasswordPage user={r.value.user} password={r.value.password} principal={c.get('principal')!} csrfToken={c.get('csrfToken')} />);
  });

  app.post('/users/:id/2fa/remove', userId, async (c) => {
    const t = target(c, c.req.valid('param').id);
    if ('response' in t) return t.response;
    const r = await change(c, t.id, async (client) => {
      const user = await getUser(client, t.id);
      if (!user) return null;
      const had = await removeSecondFactor(client, t.id);
      if (had) await logUserEvent(client, 'auth.2fa_remove', t.id, { email: user.email, by: 'admin' });
      return { user, had };
    });
    if (r.response) return r.response;
    if (!r.value) return problem(c, 404, 'Not found', 'No such user (removed?).');
    if (!r.value.had) return userPage(c, t.id, 400, { error: `${r.value.user.email} has no second factor.` });
    return c.redirect(back(t.id, `Removed the second factor of ${r.value.user.email}.`), 303);
  });

  app.post('/users/:id/sessions/:sid/end', idParams({ id: 'a user', sid: 'a session' }), async (c) => {
    const t = target(c, c.req.valid('param').id);
    if ('response' in t) return t.response;
    const { sid } = c.req.valid('param');
    if (sid === c.get('sessionId')) return userPage(c, t.id, 400, { error: 'That is this session: use Sign out.' });
    const r = await change(c, t.id, async (client) => {
      const session = await endSession(client, sid, t.id);
      if (session) await logUserEvent(client, 'auth.session_end', t.id, { email: session.email, session_id: session.id, by: 'admin' });
      return session;
    });
    if (r.response) return r.response;
    if (!r.value) return userPage(c, t.id, 404, { error: 'No such session of this user (it may have ended already).' });
    return c.redirect(back(t.id, `Ended a session of ${r.value.email}.`), 303);
  });

  app.post('/users/:id/delete', userId, async (c) => {
    const { id } = c.req.valid('param');
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
