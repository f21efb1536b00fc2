/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Sign-in and sign-out. Every outcome is an audit event with the client's IP and user agent:
// auth.sign_in, auth.sign_in_failed (reason: bad_credentials | locked), auth.sign_out.
// Failures count per email and per IP; past the limit the key is locked for a while (429).
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { withAuditContext, type AuditContext } from '../../context.ts';
import { DUMMY_HASH, verifyPassword } from '../../console/passwords.ts';
import { createSession, deleteSession } from '../../console/sessions.ts';
import { clearFailures, DEFAULT_THROTTLE, lockedUntil, recordFailure, throttleKeys } from '../../console/throttle.ts';
import { findUserForSignIn } from '../../console/users.ts';
import type { SignInReason } from '../../query/filter.ts';
import { SignInPage } from '../../../views/sign-in.tsx';
import { utc } from '../../../views/format.ts';
import type { AppDeps } from '../deps.ts';
import { clientInfo } from './request.ts';
import type { ConsoleEnv } from './env.ts';
import { clearSessionCookie, clock, crossSite, safeNext, SESSION_COOKIE, sessionPolicy, setSessionCookie, tokensEqual } from './session.ts';

/** Double-submit token for the sign-in form (there is no session to bind it to yet). */
const FORM_COOKIE = 'pgtrail_sign_in';

function str(value: unknown, max = 2048): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

export function signInRoutes(deps: AppDeps) {
  const app = new Hono<ConsoleEnv>();
  const throttle = { ...DEFAULT_THROTTLE, ...deps.throttle };

  const form = (c: Context, status: ContentfulStatusCode, props: { next?: string; email?: string; error?: string; notice?: string } = {}) => {
    const token = randomBytes(24).toString('base64url');
    setCookie(c, FORM_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/sign-in', secure: deps.secureCookies || c.req.url.startsWith('https:') });
    c.header('Cache-Control', 'no-store');
    return c.html(<SignInPage csrfToken={token} {...props} />, status);
  };

  app.get('/sign-in', (c) => form(c, 200, {
    next: safeNext(c.req.query('next')),
    notice: c.req.query('signed_out') === '1' ? 'You are signed out.' : undefined,
  }));

  app.post('/sign-in', async (c) => {
    const body = await c.req.parseBody();
    const email = str(body.email, 320).trim();
    const password = str(body.password, 1024);
    const next = safeNext(str(body.next));
    if (crossSite(c) || !tokensEqual(getCookie(c, FORM_COOKIE), str(body._csrf))) {
      return form(c, 403, { next, email, error: 'The sign-in form expired or came from another site. Please try again.' });
    }
    if (!email || !password) return form(c, 400, { next, email, error: 'Enter your email and your password.' });

    const info = clientInfo(c, deps);
    const now = clock(deps);
    const keys = throttleKeys(email, info.ip);
    const context = (actorId?: string): AuditContext => ({ actorType: 'user', actorId, actorName: email.slice(0, 320), ...info });
    // The reasons the sign-in log's reason filter offers (SIGN_IN_REASONS).
    const failed = async (reason: SignInReason, userId?: string) => {
      await withAuditContext(deps.pool, context(userId), async (client) => {
        if (reason === 'bad_credentials') {
          await recordFailure(client, [[keys.email, throttle.maxPerEmail], ...(keys.ip ? [[keys.ip, throttle.maxPerIp] as [string, number]] : [])], throttle, now);
        }
        await client.query(`SELECT audit.log_event('auth.sign_in_failed', 'console.user', $1, jsonb_build_object('email', $2::text, 'reason', $3::text))`,
          [userId ?? null, email, reason]);
      });
    };

    const until = await lockedUntil(deps.pool, [keys.email, ...(keys.ip ? [keys.ip] : [])], now);
    if (until) {
      await failed('locked');
      return form(c, 429, { next, email, error: `Too many failed sign-ins. Try again after ${utc(until.toISOString())}.` });
    }
    const user = await findUserForSignIn(deps.pool, email);
    // Unknown emails cost the same scrypt as known ones, so timing does not reveal accounts.
    const valid = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user || !valid) {
      await failed('bad_credentials', user?.id);
      return form(c, 401, { next, email, error: 'That email and password do not match.' });
    }

    const session = await withAuditContext(deps.pool, { ...context(user.id), actorName: user.email }, async (client) => {
      const created = await createSession(client, user.id, sessionPolicy(deps), now, info);
      await clearFailures(client, keys.email);
      await client.query('UPDATE console.users SET last_sign_in_at = $2 WHERE id = $1', [user.id, now]);
      await client.query(`SELECT audit.log_event('auth.sign_in', 'console.user', $1, jsonb_build_object('method', 'password', 'role', $2::text))`, [user.id, user.role]);
      return created;
    });
    deleteCookie(c, FORM_COOKIE, { path: '/sign-in' });
    setSessionCookie(c, deps, session.token);
    return c.redirect(next ?? '/events', 303);
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
