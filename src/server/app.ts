// The HTTP app, separate from serving it (serve.ts), so tests drive it with app.request().
//   /api/v1/*   the JSON API and its exports (Bearer tokens; src/server/api)
//   /*          the console (session cookie; src/server/console)
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { UserError } from '../db/errors.ts';
import { apiRoutes } from './api/routes.ts';
import type { AppEnv } from './env.ts';
import { consoleRoutes } from './console/routes.ts';
import { problem } from './console/problem.tsx';
import type { AppDeps } from './deps.ts';

export type { AppDeps } from './deps.ts';

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const id = randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  });
  // Scripts, styles, images and requests from this origin only: no inline script, no eval, no CDN.
  app.use('*', secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    referrerPolicy: 'same-origin',
    strictTransportSecurity: deps.secureCookies ? 'max-age=31536000' : false,
  }));

  app.route('/api/v1', apiRoutes(deps));
  app.route('/', consoleRoutes(deps));

  app.notFound((c) => (c.req.path.startsWith('/api/') ? c.json({ error: 'not found' }, 404) : problem(c, 404, 'Not found', 'There is no page at this address.')));
  app.onError((error, c) => {
    if (error instanceof UserError) {
      return c.req.path.startsWith('/api/') ? c.json({ error: error.message }, 400) : problem(c, 400, 'Bad request', error.message);
    }
    // hono's validators throw these for a body they cannot read (malformed form data or JSON).
    if (error instanceof HTTPException && error.status < 500) {
      return c.req.path.startsWith('/api/') ? c.json({ error: error.message }, error.status) : problem(c, error.status, undefined, error.message);
    }
    console.error(`pgtrail: request ${c.get('requestId')} failed:`, error);
    return c.req.path.startsWith('/api/')
      ? c.json({ error: 'internal error; the server log has the details' }, 500)
      : problem(c, 500, 'Something went wrong', `The server could not answer this request (id ${c.get('requestId')}); the server log has the details.`);
  });
  return app;
}
