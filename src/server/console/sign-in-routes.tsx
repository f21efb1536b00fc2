/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Sign-in and sign-out. Every outcome is an audit event with the client's IP and user agent:
// auth.sign_in (with the factors used), auth.sign_in_failed (reason: bad_credentials | locked |
// disabled), auth.2fa_failed, auth.recovery_code_used, auth.sign_out.
// A user with a second factor signs in in two steps: the password form, then a separate code form
// bound to a short-lived signed pending token (an HttpOnly cookie). A wrong password gets the same
// answer whether or not 2FA is on, and the code is checked in its own request, so its timing cannot
// tell whether the password was right. Failures of both steps count per email and per IP; past
// the limit the key is locked for a while (429) and neither step is checked.
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type pg from 'pg';
import { withAuditContext, type AuditContext } from '../../audit/context.ts';
import { logUserEvent } from '../../accounts/log.ts';
import { DUMMY_HASH, verifyPassword } from '../../accounts/passwords.ts';
import { pendingUserId, PENDING_TTL_MS, signPending, verifyPending } from '../../accounts/pending-sign-in.ts';
import { checkSecondFactor, hasSecondFactor, roleRequires2fa } from '../../accounts/second-factor.ts';
import { createSession, deleteSession, type Factor } from '../../accounts/sessions.ts';
import { clearFailures, DEFAULT_THROTTLE, lockedUntil, recordFailure, throttleKeys } from '../../accounts/throttle.ts';
import { findUserById, findUserForSignIn, type SignInUser } from '../../accounts/users.ts';
import type { SignInReason } from '../../query/filter.ts';
import { SecondFactorPage, SignInPage } from '../../../views/sign-in.tsx';
import { utc } from '../../../views/format.ts';
import type { AppDeps } from '../deps.ts';
import { clientInfo } from './request.ts';
import type { ConsoleEnv } from './env.ts';
import { clearSessionCookie, clock, crossSite, GATES, safeNext, secureCookie, SESSION_COOKIE, sessionPolicy, setSessionCookie, tokensEqual } from './session.ts';
import { z } from 'zod';
import { formText } from '../schemas.ts';
import { form as formBody } from './validators.ts';

/** Double-submit token for the sign-in forms (there is no session to bind it to yet). */
const FORM_COOKIE = 'pgtrail_sign_in';
/** The pending sign-in between password and code (pending-sign-in.ts). */
const PENDING_COOKIE = 'pgtrail_pending';

const SECOND_FACTOR_MESSAGES = {
  wrong_code: 'That code is not right. Enter the current 6-digit code from your app, or a recovery code.',
  replayed_code: 'That code was used already. Wait for the next one in your app.',
  used_recovery_code: 'That recovery code was used already; each works once.',
  not_enrolled: 'Two-factor sign-in is no longer set up for this account. Sign in again.',
} as const;

// `_csrf` is optional here so that a form without it gets the 403 below, not a 400.
const signInFields = z.object({
  email: formText(320).transform((email) => email.trim()),
  password: formText(1024),
  next: formText(2048).optional(),
  _csrf: formText(200).optional(),
});
const codeFields = z.object({
  code: formText(64).transform((code) => code.trim()),
  next: formText(2048).optional(),
  _csrf: formText(200).optional(),
});

export function signInRoutes(deps: AppDeps) {
  const app = new Hono<ConsoleEnv>();
  const throttle = { ...DEFAULT_THROTTLE, ...deps.throttle };

  const formToken = (c: Context) => {
    const token = randomBytes(24).toString('base64url');
    setCookie(c, FORM_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/sign-in', secure: secureCookie(c, deps) });
    c.header('Cache-Control', 'no-store');
    return token;
  };
  const form = (c: Context, status: ContentfulStatusCode, props: { next?: string; email?: string; error?: string; notice?: string } = {}) =>
    c.html(<SignInPage csrfToken={formToken(c)} {...props} />, status);
  const codeForm = (c: Context, status: ContentfulStatusCode, props: { next?: string; error?: string } = {}) =>
    c.html(<SecondFactorPage csrfToken={formToken(c)} {...props} />, status);
  const keysFor = (email: string, ip: string | undefined) => {
    const keys = throttleKeys(email, ip);
    return {
      all: [keys.email, ...(keys.ip ? [keys.ip] : [])],
      limits: [[keys.email, throttle.maxPerEmail], ...(keys.ip ? [[keys.ip, throttle.maxPerIp] as [string, number]] : [])] as Array<[string, number]>,
      email: keys.email,
    };
  };

  /** Makes the session, records auth.sign_in with the factors, and sends the browser on. */
  const complete = async (c: Context<ConsoleEnv>, client: pg.ClientBase, user: SignInUser, factors: Factor[], next: string | undefined) => {
    const info = clientInfo(c, deps);
    const now = clock(deps);
    const created = await createSession(client, user.id, sessionPolicy(deps), now, info, factors);
    await clearFailures(client, keysFor(user.email, info.ip).email);
    await client.query('UPDATE console.users SET last_sign_in_at = $2 WHERE id = $1', [user.id, now]);
    const mustEnrol = !user.two_factor && (await roleRequires2fa(client, user.role));
    await logUserEvent(client, 'auth.sign_in', user.id, {
      method: factors.join('+'), factors, role: user.role,
      ...(user.must_change_password ? { must_change_password: true } : {}),
      ...(mustEnrol ? { must_enrol_2fa: true } : {}),
    });
    return { token: created.token, target: user.must_change_password ? GATES.change_password.target : mustEnrol ? GATES.enrol_2fa.target : next ?? '/events' };
  };
  const finish = (c: Context, session: { token: string; target: string }) => {
    deleteCookie(c, FORM_COOKIE, { path: '/sign-in' });
    deleteCookie(c, PENDING_COOKIE, { path: '/sign-in' });
    setSessionCookie(c, deps, session.token);
    return c.redirect(session.target, 303);
  };
  const context = (c: Context<ConsoleEnv>, name: string, actorId?: string): AuditContext => ({ actorType: 'user', actorId, actorName: name.slice(0, 320), ...clientInfo(c, deps) });

  app.get('/sign-in', (c) => form(c, 200, {
    next: safeNext(c.req.query('next')),
    notice: c.req.query('signed_out') === '1' ? 'You are signed out.' : undefined,
  }));

  // A malformed form is answered before any check, so it is neither a failed sign-in nor throttled.
  app.post('/sign-in', formBody(signInFields, (c, error) => form(c, 400, { error })), async (c) => {
    const body = c.req.valid('form');
    const { email, password } = body;
    const next = safeNext(body.next);
    if (crossSite(c) || !tokensEqual(getCookie(c, FORM_COOKIE), body._csrf)) {
      return form(c, 403, { next, email, error: 'The sign-in form expired or came from another site. Please try again.' });
    }
    if (!email || !password) return form(c, 400, { next, email, error: 'Enter your email and your password.' });

    const info = clientInfo(c, deps);
    const now = clock(deps);
    const keys = keysFor(email, info.ip);
    // The reasons the sign-in log's reason filter offers (SIGN_IN_REASONS).
    const failed = async (reason: SignInReason, userId?: string) => {
      await withAuditContext(deps.pool, context(c, email, userId), async (client) => {
        if (reason === 'bad_credentials') await recordFailure(client, keys.limits, throttle, now);
        await client.query(`SELECT audit.log_event('auth.sign_in_failed', 'console.user', $1, jsonb_build_object('email', $2::text, 'reason', $3::text))`,
          [userId ?? null, email, reason]);
      });
    };

    const until = await lockedUntil(deps.pool, keys.all, now);
    if (until) {
      await failed('locked');
      return form(c, 429, { next, email, error: `Too many failed sign-ins. Try again after ${utc(until.toISOString())}.` });
    }
    const user = await findUserForSignIn(deps.pool, email);
    // Unknown emails cost the same scrypt as known ones, so timing does not reveal accounts; and
    // nothing about a second factor is looked at before the password matched.
    const valid = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user || !valid) {
      await failed('bad_credentials', user?.id);
      return form(c, 401, { next, email, error: 'That email and password do not match.' });
    }
    if (user.disabled_at) {
      await failed('disabled', user.id);
      return form(c, 403, { next, email, error: 'This account is disabled. Ask an admin to enable it.' });
    }
    if (await hasSecondFactor(deps.pool, user.id)) {
      setCookie(c, PENDING_COOKIE, signPending(deps.secret, user, now), {
        httpOnly: true, sameSite: 'Strict', path: '/sign-in', secure: secureCookie(c, deps), maxAge: Math.floor(PENDING_TTL_MS / 1000),
      });
      return codeForm(c, 200, { next });
    }
    const session = await withAuditContext(deps.pool, context(c, user.email, user.id), (client) => complete(c, client, user, ['password'], next));
    return finish(c, session);
  });

  /** The user a pending sign-in cookie stands for, if it is this server's, live, and still valid. */
  const pendingUser = async (c: Context<ConsoleEnv>): Promise<SignInUser | null> => {
    const token = getCookie(c, PENDING_COOKIE);
    const id = pendingUserId(token, clock(deps));
    if (!id) return null;
    const user = await findUserById(deps.pool, id);
    if (!user || user.disabled_at || !verifyPending(deps.secret, token!, user.password_hash)) return null;
    return user;
  };
  const expired = (c: Context<ConsoleEnv>, next?: string) => {
    deleteCookie(c, PENDING_COOKIE, { path: '/sign-in' });
    return form(c, 401, { next, error: 'Your sign-in expired before the code was entered. Enter your password again.' });
  };

  app.get('/sign-in/2fa', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (!(await pendingUser(c))) return c.redirect(`/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`, 303);
    return codeForm(c, 200, { next });
  });

  app.post('/sign-in/2fa', formBody(codeFields, (c, error) => codeForm(c, 400, { error })), async (c) => {
    const body = c.req.valid('form');
    const { code } = body;
    const next = safeNext(body.next);
    if (crossSite(c) || !tokensEqual(getCookie(c, FORM_COOKIE), body._csrf)) {
      return codeForm(c, 403, { next, error: 'The form expired or came from another site. Please try again.' });
    }
    const user = await pendingUser(c);
    if (!user) return expired(c, next);
    if (!code) return codeForm(c, 400, { next, error: 'Enter the 6-digit code from your app, or a recovery code.' });

    const info = clientInfo(c, deps);
    const now = clock(deps);
    const keys = keysFor(user.email, info.ip);
    const until = await lockedUntil(deps.pool, keys.all, now);
    if (until) {
      await withAuditContext(deps.pool, context(c, user.email, user.id), (client) => logUserEvent(client, 'auth.2fa_failed', user.id, { email: user.email, reason: 'locked' }));
      return codeForm(c, 429, { next, error: `Too many failed attempts. Try again after ${utc(until.toISOString())}.` });
    }
    const outcome = await withAuditContext(deps.pool, context(c, user.email, user.id), async (client) => {
      const result = await checkSecondFactor(client, deps.totpKey, user.id, code, now);
      if (!result.ok) {
        // Five wrong codes lock the email like five wrong passwords (the same counters).
        if (result.reason !== 'not_enrolled') await recordFailure(client, keys.limits, throttle, now);
        await logUserEvent(client, 'auth.2fa_failed', user.id, { email: user.email, reason: result.reason });
        return { result };
      }
      if (result.factor === 'recovery_code') {
        await logUserEvent(client, 'auth.recovery_code_used', user.id, { email: user.email, recovery_codes_left: result.recoveryCodesLeft });
      }
      return { result, session: await complete(c, client, user, ['password', result.factor], next) };
    });
    if (!outcome.result.ok) {
      if (outcome.result.reason === 'not_enrolled') return expired(c, next);
      return codeForm(c, 401, { next, error: SECOND_FACTOR_MESSAGES[outcome.result.reason] });
    }
    return finish(c, outcome.session!);
  });

  // Behind requireSession + requireCsrf (routes.ts): only a live session with its token gets here.
  app.post('/sign-out', async (c) => {
    const principal = c.get('principal')!;
    const token = getCookie(c, SESSION_COOKIE)!;
    await withAuditContext(deps.pool, { actorType: 'user', actorId: principal.id, actorName: principal.name, ...clientInfo(c, deps) }, async (client) => {
      await deleteSession(client, token);
      await client.query(`SELECT audit.log_event('auth.sign_out', 'console.user', $1, NULL)`, [principal.id]);
    });
    clearSessionCookie(c, deps);
    return c.redirect('/sign-in?signed_out=1', 303);
  });

  return app;
}
