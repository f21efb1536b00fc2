/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The signed-in user's own account: password change (auth.password_change), two-factor enrolment
// (auth.2fa_enrol; a wrong or late confirmation code is auth.2fa_failed) and removal
// (auth.2fa_remove), and their sessions (auth.session_end). Each runs as the user, with the
// request's IP and user agent.
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { withAuditContext } from '../../audit/context.ts';
import { UserError } from '../../db/errors.ts';
import { logUserEvent } from '../../accounts/log.ts';
import { verifyPassword } from '../../accounts/passwords.ts';
import { confirmEnrolment, ENROLMENT_TTL_MS, removeSecondFactor, roleRequires2fa, startEnrolment, twoFactorState } from '../../accounts/second-factor.ts';
import { endSession, listSessions } from '../../accounts/sessions.ts';
import { base32Encode, otpauthUri } from '../../accounts/totp.ts';
import { changeOwnPassword, findUserById } from '../../accounts/users.ts';
import { principalContext } from '../../accounts/roles.ts';
import { AccountPage, ChangePasswordPage } from '../../../views/account.tsx';
import { utc } from '../../../views/format.ts';
import { EnrolPage, RecoveryCodesPage } from '../../../views/two-factor.tsx';
import type { AppDeps } from '../deps.ts';
import { clientInfo } from './request.ts';
import type { ConsoleEnv } from './env.ts';
import { clearSessionCookie, clock, SESSION_COOKIE, sessionPolicy } from './session.ts';
import { problem } from './problem.tsx';
import { z } from 'zod';
import { formText } from '../schemas.ts';
import { form, idParams } from './validators.ts';

const CONFIRM_MESSAGES = {
  wrong_code: 'That code does not match. Check the app shows pgtrail\'s code and the device\'s clock is right, then try the current code.',
  expired: 'This set-up expired before it was confirmed. Start again: the old QR code no longer works.',
  no_enrolment: 'There is no set-up waiting for a code. Start again.',
} as const;

const passwordForm = z.object({ current: formText(1024), password: formText(1024), confirm: formText(1024) });
const codeForm = z.object({ code: formText(32) });
const removeForm = z.object({ password: formText(1024) });

export function accountRoutes(deps: AppDeps) {
  const app = new Hono<ConsoleEnv>();
  const me = (c: Context<ConsoleEnv>) => c.get('principal')!;
  const context = (c: Context<ConsoleEnv>) => principalContext(me(c), clientInfo(c, deps));
  const gated = (c: Context<ConsoleEnv>) => c.get('gate');

  const accountPage = async (c: Context<ConsoleEnv>, status: ContentfulStatusCode, extra: { notice?: string; error?: string } = {}) => {
    const now = clock(deps);
    const [sessions, state, required] = await Promise.all([
      listSessions(deps.pool, sessionPolicy(deps), now, me(c).id),
      twoFactorState(deps.pool, deps.totpKey, me(c).id, now),
      roleRequires2fa(deps.pool, me(c).role),
    ]);
    return c.html(<AccountPage principal={me(c)} csrfToken={c.get('csrfToken')} sessionId={c.get('sessionId')} sessions={sessions}
      twoFactor={{ enrolled: state.enrolled, recoveryCodesLeft: state.recoveryCodesLeft, required, available: Boolean(deps.totpKey) }} {...extra} />, status);
  };
  const enrolPage = async (c: Context<ConsoleEnv>, status: ContentfulStatusCode, error?: string) => {
    const now = clock(deps);
    const state = await twoFactorState(deps.pool, deps.totpKey, me(c).id, now);
    if (state.enrolled) return c.redirect('/account', 303);
    const pending = state.pending && {
      uri: otpauthUri(state.pending.secret, me(c).name),
      secret: base32Encode(state.pending.secret).replace(/(.{4})(?=.)/g, '$1 '),
      expiresAt: utc(new Date(state.pending.startedAt.getTime() + ENROLMENT_TTL_MS).toISOString()),
    };
    return c.html(<EnrolPage principal={me(c)} csrfToken={c.get('csrfToken')} pending={pending} required={gated(c) === 'enrol_2fa'} error={error} />, status);
  };

  const unavailable = (c: Context<ConsoleEnv>) => problem(c, 400, 'Not available', 'Two-factor sign-in needs PGTRAIL_TOTP_KEY (or its key file) on the server.');

  app.get('/account', (c) => accountPage(c, 200, { notice: c.req.query('notice')?.slice(0, 200) }));

  app.get('/account/password', (c) => c.html(<ChangePasswordPage principal={me(c)} csrfToken={c.get('csrfToken')} forced={gated(c) === 'change_password'} />));

  /** The password form again with `error`: the forced page while that gate is up, else the account page. */
  const passwordAgain = (c: Context<ConsoleEnv>, status: ContentfulStatusCode, error: string) => (gated(c) === 'change_password'
    ? c.html(<ChangePasswordPage principal={me(c)} csrfToken={c.get('csrfToken')} forced error={error} />, status)
    : accountPage(c, status, { error }));

  app.post('/account/password', form(passwordForm, (c, error) => passwordAgain(c, 400, error)), async (c) => {
    const { current, password: next, confirm } = c.req.valid('form');
    const fail = (status: ContentfulStatusCode, error: string) => passwordAgain(c, status, error);
    if (!current || !next) return fail(400, 'Enter your current password and the new one.');
    if (next !== confirm) return fail(400, 'The two new passwords differ.');
    try {
      await withAuditContext(deps.pool, context(c), (client) => changeOwnPassword(client, me(c).id, current, next, c.get('sessionId')));
    } catch (error) {
      if (error instanceof UserError) return fail(400, error.message);
      throw error;
    }
    return c.redirect(`/account?notice=${encodeURIComponent('Your password is changed; your other sessions have ended.')}`, 303);
  });

  app.get('/account/2fa', (c) => (deps.totpKey ? enrolPage(c, 200) : unavailable(c)));

  app.post('/account/2fa/start', async (c) => {
    if (!deps.totpKey) return unavailable(c);
    const key = deps.totpKey;
    const started = await withAuditContext(deps.pool, context(c), (client) => startEnrolment(client, key, me(c).id, clock(deps)));
    if (!started) return accountPage(c, 400, { error: 'Two-factor sign-in is already on. Turn it off first to set up a new app.' });
    return c.redirect('/account/2fa', 303);
  });

  app.post('/account/2fa/confirm', form(codeForm, (c, error) => (deps.totpKey ? enrolPage(c, 400, error) : unavailable(c))), async (c) => {
    if (!deps.totpKey) return unavailable(c);
    const key = deps.totpKey;
    const { code } = c.req.valid('form');
    const result = await withAuditContext(deps.pool, context(c), async (client) => {
      const outcome = await confirmEnrolment(client, key, me(c).id, code, clock(deps));
      if (outcome.ok) await logUserEvent(client, 'auth.2fa_enrol', me(c).id, { email: me(c).name, method: 'totp', recovery_codes: outcome.recoveryCodes.length });
      else await logUserEvent(client, 'auth.2fa_failed', me(c).id, { email: me(c).name, stage: 'enrol', reason: outcome.reason });
      return outcome;
    });
    if (!result.ok) return enrolPage(c, 400, CONFIRM_MESSAGES[result.reason]);
    c.header('Cache-Control', 'no-store');
    return c.html(<RecoveryCodesPage principal={me(c)} csrfToken={c.get('csrfToken')} codes={result.recoveryCodes} />);
  });

  app.post('/account/2fa/remove', form(removeForm, (c, error) => accountPage(c, 400, { error })), async (c) => {
    const { password } = c.req.valid('form');
    if (await roleRequires2fa(deps.pool, me(c).role)) return accountPage(c, 400, { error: 'Your role requires two-factor sign-in; an admin can remove it.' });
    const user = await findUserById(deps.pool, me(c).id);
    if (!user || !(await verifyPassword(password, user.password_hash))) return accountPage(c, 400, { error: 'current password: that is not your current password' });
    const removed = await withAuditContext(deps.pool, context(c), async (client) => {
      const had = await removeSecondFactor(client, me(c).id);
      if (had) await logUserEvent(client, 'auth.2fa_remove', me(c).id, { email: me(c).name, by: 'self' });
      return had;
    });
    if (!removed) return accountPage(c, 400, { error: 'Two-factor sign-in was not on.' });
    return c.redirect(`/account?notice=${encodeURIComponent('Two-factor sign-in is off.')}`, 303);
  });

  app.post('/account/sessions/:id/end', idParams({ id: 'a session' }), async (c) => {
    const { id } = c.req.valid('param');
    const ended = await withAuditContext(deps.pool, context(c), async (client) => {
      const session = await endSession(client, id, me(c).id);
      if (session) await logUserEvent(client, 'auth.session_end', me(c).id, { email: me(c).name, session_id: session.id, by: 'self', current: id === c.get('sessionId') });
      return session;
    });
    if (!ended) return accountPage(c, 404, { error: 'No such session of yours (it may have ended already).' });
    if (id === c.get('sessionId') && getCookie(c, SESSION_COOKIE)) {
      clearSessionCookie(c, deps);
      return c.redirect('/sign-in?signed_out=1', 303);
    }
    return c.redirect(`/account?notice=${encodeURIComponent('The session has ended.')}`, 303);
  });

  return app;
}
