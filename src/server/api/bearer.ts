// Bearer-token authentication for the JSON API: `Authorization: Bearer pgt_…` → a Principal of kind
// 'api_token', so everything the request does is attributed to the token. Missing, malformed,
// unknown and revoked tokens all get the same 401 (no hint which one it was).
import type { MiddlewareHandler } from 'hono';
import type pg from 'pg';
import type { AppEnv } from '../env.ts';
import { authenticateToken } from '../../accounts/tokens.ts';

const CHALLENGE = 'Bearer realm="pgtrail"';

export function bearerAuth(deps: { pool: pg.Pool }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) {
      c.header('WWW-Authenticate', CHALLENGE);
      return c.json({ error: 'an API token is required: send Authorization: Bearer pgt_… (create one with `pgtrail token create`)' }, 401);
    }
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    const principal = match ? await authenticateToken(deps.pool, match[1]) : null;
    if (!principal) {
      c.header('WWW-Authenticate', `${CHALLENGE}, error="invalid_token"`);
      return c.json({ error: 'the API token is not valid (unknown, malformed or revoked)' }, 401);
    }
    c.set('principal', principal);
    await next();
  };
}
