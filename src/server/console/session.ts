// Session and CSRF middleware for the console. Every console route but sign-in and static assets
// needs a live session; every state-changing request needs the session's CSRF token (hidden field
// `_csrf` or header X-CSRF-Token, which htmx sends from <body hx-headers>) and must not come from
// another site.
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { resolveSession, type SessionPolicy } from '../../accounts/sessions.ts';
import { can, type Ability } from '../../accounts/roles.ts';
import type { AppDeps } from '../deps.ts';
import { isHttps, wantsFragment } from './request.ts';
import type { ConsoleEnv } from './env.ts';
import { problem } from './problem.tsx';

export const SESSION_COOKIE = 'pgtrail_session';

export function sessionPolicy(deps: AppDeps): SessionPolicy {
  return { ttlMs: deps.session?.ttlMs ?? 12 * 3_600_000, idleMs: deps.session?.idleMs ?? 60 * 60_000 };
}

export const clock = (deps: AppDeps) => (deps.now ? deps.now() : new Date());

export function secureCookie(c: Context, deps: AppDeps): boolean {
  return Boolean(deps.secureCookies) || isHttps(c, deps);
}

export function setSessionCookie(c: Context, deps: AppDeps, token: string): void {
  // Lax, not Strict: a shared link to a filtered view must open signed in; state changes are
  // POSTs, which Lax does not send cross-site, and carry the CSRF token besides.
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true, sameSite: 'Lax', secure: secureCookie(c, deps), path: '/', maxAge: Math.floor(sessionPolicy(deps).ttlMs / 1000),
  });
}

export function clearSessionCookie(c: Context, deps: AppDeps): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secureCookie(c, deps), httpOnly: true, sameSite: 'Lax' });
}

/** Where to go after sign-in: a local path only (never //host or a scheme: no open redirect). */
export function safeNext(raw: string | undefined): string | undefined {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || raw.length > 2000 || /[\r\n\0]/.test(raw)) return undefined;
  if (raw.startsWith('/sign-in') || raw.startsWith('/sign-out')) return undefined;
  return raw;
}

export function tokensEqual(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const PUBLIC = [/^\/sign-in(\/2fa)?$/, /^\/assets\//, /^\/api\//, /^\/favicon\.ico$/];

export function requireSession(deps: AppDeps): MiddlewareHandler<ConsoleEnv> {
  const policy = sessionPolicy(deps);
  return async (c, next) => {
    if (PUBLIC.some((p) => p.test(c.req.path))) return next();
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? await resolveSession(deps.pool, token, policy, clock(deps)) : null;
    if (!session) {
      if (token) clearSessionCookie(c, deps);
      const url = new URL(c.req.url);
      const target = `/sign-in${safeNext(url.pathname + url.search) && url.pathname !== '/' ? `?next=${encodeURIComponent(url.pathname + url.search)}` : ''}`;
      if (wantsFragment(c)) {
        c.header('HX-Redirect', target);
        return c.body(null, 401);
      }
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect(target, 303);
      return problem(c, 401, 'Signed out', 'Your session has ended. Sign in again.');
    }
    c.set('principal', session.principal);
    c.set('csrfToken', session.csrfToken);
    c.set('sessionId', session.id);
    c.set('gate', session.gate);
    c.header('Cache-Control', 'no-store');
    return next();
  };
}

/** Where a gated session must go first, and the paths it may use meanwhile. */
export const GATES = {
  change_password: { target: '/account/password', allowed: [/^\/account\/password$/, /^\/sign-out$/], message: 'Choose a new password first: an admin reset yours.' },
  enrol_2fa: { target: '/account/2fa', allowed: [/^\/account\/2fa(\/(start|confirm))?$/, /^\/sign-out$/], message: 'Set up two-factor sign-in first: your role requires it.' },
} as const;

/**
 * A session whose user must choose a new password (after a reset) or enrol a second factor (their
 * role requires one) sees nothing else until they have: pages redirect there, anything else is 403.
 */
export function requireGate(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const gate = c.get('gate');
    if (!gate || !c.get('principal') || PUBLIC.some((p) => p.test(c.req.path))) return next();
    const rule = GATES[gate];
    if (rule.allowed.some((p) => p.test(c.req.path))) return next();
    if (wantsFragment(c)) {
      c.header('HX-Redirect', rule.target);
      return c.body(null, 403);
    }
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect(rule.target, 303);
    return problem(c, 403, 'Not yet', rule.message);
  };
}

/** Refuses state-changing requests without this session's CSRF token or from another site. */
export function requireCsrf(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    // The sign-in forms carry their own double-submit token (there is no session yet).
    if (['GET', 'HEAD', 'OPTIONS'].includes(c.req.method) || c.req.path === '/sign-in' || c.req.path === '/sign-in/2fa' || c.req.path.startsWith('/api/')) return next();
    if (crossSite(c)) return problem(c, 403, 'Refused', 'This request came from another site.');
    let given = c.req.header('x-csrf-token');
    if (!given) {
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        // A body that cannot be read has no token: refused below like one without it.
        const body = await c.req.parseBody().catch(() => ({} as Record<string, unknown>));
        given = typeof body._csrf === 'string' ? body._csrf : undefined;
      }
    }
    if (!tokensEqual(given, c.get('csrfToken'))) {
      return problem(c, 403, 'Refused', 'The form was missing its security token or it belongs to another session. Reload the page and try again.');
    }
    return next();
  };
}

/** Browsers say where a request comes from; anything but this origin is refused for writes. */
export function crossSite(c: Context): boolean {
  if (c.req.header('sec-fetch-site') === 'cross-site') return true;
  const origin = c.req.header('origin');
  if (!origin || origin === 'null') return origin === 'null';
  const host = c.req.header('host');
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

export function requireAbility(ability: Ability): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    if (!can(c.get('principal'), ability)) {
      return problem(c, 403, 'Not allowed', `Your role (${c.get('principal')?.role ?? 'none'}) may not do this.`);
    }
    return next();
  };
}
