// What kind of request this is: over HTTPS (directly, or per X-Forwarded-Proto behind a trusted
// proxy), and htmx asking for a fragment. (Client IP and user agent: ../request-info.ts.)
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import type { AppDeps } from '../deps.ts';
import { requestInfo, type RequestInfo } from '../request-info.ts';
import type { ConsoleEnv } from './env.ts';

export function isHttps(c: Context, deps: AppDeps): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return Boolean(deps.trustProxy && c.req.header('x-forwarded-proto')?.split(',')[0].trim() === 'https');
}

/** An htmx request for a fragment (a history restore wants the whole page). */
export function wantsFragment(c: Context): boolean {
  return c.req.header('hx-request') === 'true' && c.req.header('hx-history-restore-request') !== 'true';
}

/** requestInfo for console contexts (ConsoleEnv only adds the CSRF token to AppEnv). */
export function clientInfo(c: Context<ConsoleEnv>, deps: AppDeps): RequestInfo {
  return requestInfo(c as unknown as Context<AppEnv>, deps);
}
