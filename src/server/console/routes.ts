// The console: sign-in, then everything behind a session — your account (password, 2FA,
// sessions), event list and detail, sign-in log, users and API tokens (admins), exports (the export
// ability). Mounted at / by createApp.
import { Hono } from 'hono';
import { exportRoute } from '../export-download.ts';
import type { AppDeps } from '../deps.ts';
import { assetRoutes } from './assets.ts';
import type { ConsoleEnv } from './env.ts';
import { eventRoutes } from './events-routes.tsx';
import { integrityRoutes } from './integrity-routes.tsx';
import { accountRoutes } from './account-routes.tsx';
import { asOfRoutes } from './as-of-routes.tsx';
import { revertRoutes } from './revert-routes.tsx';
import { requireAbility, requireCsrf, requireGate, requireSession } from './session.ts';
import { tokenRoutes } from './tokens-routes.tsx';
import { signInRoutes } from './sign-in-routes.tsx';
import { userRoutes } from './users-routes.tsx';

export function consoleRoutes(deps: AppDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.route('/', assetRoutes());
  // Every path below needs a session (the middleware lets /sign-in, /assets/* and /api/* through),
  // and every state-changing request the session's CSRF token.
  // A gated session (new password, 2FA enrolment due) reaches only the pages that lift the gate.
  app.use('*', requireSession(deps), requireCsrf(), requireGate());
  app.route('/', signInRoutes(deps));
  app.route('/', accountRoutes(deps));
  app.route('/', eventRoutes(deps));
  app.route('/', userRoutes(deps));
  app.route('/', tokenRoutes(deps));
  app.route('/', integrityRoutes(deps));
  app.route('/', asOfRoutes(deps));
  app.route('/', revertRoutes(deps));
  // The download buttons: the same filters as the list, streamed via COPY by the handler the API's
  // /events.csv and /events.jsonl use (src/server/export-download.ts).
  app.get('/export.csv', requireAbility('export'), exportRoute(deps, 'csv'));
  app.get('/export.jsonl', requireAbility('export'), exportRoute(deps, 'jsonl'));
  return app;
}
