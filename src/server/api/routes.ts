// The JSON API, mounted by the console at /api/v1:
//   GET /events          { events, next_cursor }: keyset pages, newest first (limit 1-500, default 50)
//   GET /events/:id      one event (400 when :id is not an id, 404 when there is none)
//   GET /events.csv      the export (CSV / JSON Lines) with the same filters; needs the export ability
//   GET /events.jsonl
//   GET /seals           the seal chain and the public keys (export ability: admin, auditor)
//   GET /exports/:id/manifest  the signed manifest of a completed export (id from X-Pgtrail-Export-Id)
//   GET /records/as-of   one record as of a time or an event, optionally compared with a second
//                        time (docs/as-of.md: the shape); 404 when the record has no history
//   GET /activity        the console's activity panel for a filter: histogram buckets and top
//                        actors, actions, verbs, target types (src/query/activity-json.ts)
// Bearer tokens only. Input is checked by each route's validators (./validators.ts) before its
// handler runs. Every error is JSON { "error": "…" } with 400 / 401 / 403 / 404, or 503 when
// the query timeout (PGTRAIL_QUERY_TIMEOUT_MS) cut the query; bad input is never a 500. Unknown
// query parameters are refused, so a typo never widens a result silently.
// Events go out as the JSON text PostgreSQL wrote (EVENT_JSON), spliced into the response and never
// parsed here: JSON.parse would round bigints above 2^53 and long numerics in the row images.
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type pg from 'pg';
import { UserError } from '../../db/errors.ts';
import { getEventText, listEventTexts, type PageText } from '../../query/list.ts';
import { planQuery } from '../../query/plan.ts';
import type { BoundedReads } from '../deps.ts';
import { duration, isQueryTimeout, timeoutMessage, TIMEOUT_STATUS } from '../query-timeout.ts';
import { exportRoute } from '../export-download.ts';
import type { SealKey } from '../../integrity/keys.ts';
import { chainJson, exportManifestText } from '../../integrity/chain-json.ts';
import { can } from '../../accounts/roles.ts';
import type { AppEnv } from '../env.ts';
import { bearerAuth } from './bearer.ts';
import { asOfQuery, eventIdParam, exportIdParam, filterQuery, listQuery, noQuery } from './validators.ts';
import { activity } from '../../query/activity.ts';
import { activityJson } from '../../query/activity-json.ts';
import { NoHistoryError, recordAsOf } from '../../query/record/as-of.ts';
import { asOfJson } from '../../query/record/json.ts';

/** What the API needs; the console's AppDeps satisfies it. */
export interface ApiDeps {
  pool: pg.Pool;
  /** Bounded by statement_timeout: list and detail reads (AppDeps.reads); exports use `pool`. */
  reads?: BoundedReads;
  /** Signs keyset cursors; the console's persisted server secret. */
  secret: string;
  now?: () => Date;
  trustProxy?: boolean;
  /** Signs export manifests (the seal key, from the environment; never the database). */
  sealKey?: SealKey | null;
}

/** `{"events": [...], "next_cursor": …}` around the events' own text (trusted: PostgreSQL wrote it). */
function pageJson(page: PageText): string {
  return `{"events":[${page.events.join(',')}],"next_cursor":${JSON.stringify(page.next_cursor)}}`;
}

function jsonText(c: Context, body: string): Response {
  return c.body(body, 200, { 'Content-Type': 'application/json' });
}

export function apiRoutes(deps: ApiDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const reads = deps.reads?.pool ?? deps.pool;

  api.onError((error, c) => {
    if (error instanceof UserError) return c.json({ error: error.message }, 400);
    if (error instanceof HTTPException && error.status < 500) return c.json({ error: error.message }, error.status);
    console.error('pgtrail api:', error);
    return c.json({ error: 'internal error; the server log has the details' }, 500);
  });

  api.use('*', bearerAuth(deps));
  api.use('*', async (c, next) => {
    if (!can(c.get('principal'), 'view')) return c.json({ error: 'this token may not read events' }, 403);
    await next();
  });

  api.get('/events', listQuery, async (c) => {
    const { limit, cursor, filter } = c.req.valid('query');
    const plan = await planQuery(deps.pool, filter, deps.now?.());
    let page;
    try {
      page = await listEventTexts(reads, plan, { limit, cursor, secret: deps.secret });
    } catch (error) {
      if (!isQueryTimeout(error)) throw error;
      return c.json({ error: timeoutMessage(plan, deps.reads?.timeoutMs) }, TIMEOUT_STATUS);
    }
    c.header('Cache-Control', 'no-store');
    return jsonText(c, pageJson(page));
  });

  api.get('/events.csv', exportRoute(deps, 'csv'));
  api.get('/events.jsonl', exportRoute(deps, 'jsonl'));

  api.get('/events/:id', eventIdParam, noQuery, async (c) => {
    const { id } = c.req.valid('param');
    let event;
    try {
      event = await getEventText(reads, id);
    } catch (error) {
      if (!isQueryTimeout(error)) throw error;
      return c.json({ error: `reading event ${id} took longer than ${duration(deps.reads?.timeoutMs)}; try again` }, TIMEOUT_STATUS);
    }
    if (!event) return c.json({ error: `no event ${id}` }, 404);
    c.header('Cache-Control', 'no-store');
    return jsonText(c, event);
  });

  api.get('/seals', async (c, next) => {
    if (!can(c.get('principal'), 'export')) return c.json({ error: 'the seal chain is for the auditor and admin roles' }, 403);
    await next();
  }, noQuery, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(await chainJson(reads));
  });

  api.get('/exports/:id/manifest', async (c, next) => {
    if (!can(c.get('principal'), 'export')) return c.json({ error: 'export manifests are for the auditor and admin roles' }, 403);
    await next();
  }, exportIdParam, noQuery, async (c) => {
    const { id } = c.req.valid('param');
    const text = await exportManifestText(reads, id);
    if (!text) return c.json({ error: `no signed manifest for export ${id} (not completed, or the server had no seal key)` }, 404);
    c.header('Cache-Control', 'no-store');
    c.header('Content-Disposition', `attachment; filename="pgtrail-export-${id}.manifest.json"`);
    return jsonText(c, text);
  });

  api.get('/records/as-of', asOfQuery, async (c) => {
    let result;
    try {
      result = await recordAsOf(reads, c.req.valid('query'), deps.now?.() ?? new Date());
    } catch (error) {
      if (error instanceof NoHistoryError) return c.json({ error: error.message }, 404);
      if (!isQueryTimeout(error)) throw error;
      return c.json({ error: `reconstructing the record took longer than ${duration(deps.reads?.timeoutMs)}; try again` }, TIMEOUT_STATUS);
    }
    c.header('Cache-Control', 'no-store');
    return jsonText(c, asOfJson(result));
  });

  api.get('/activity', filterQuery, async (c) => {
    const filter = c.req.valid('query');
    let result;
    try {
      result = await activity(reads, filter, deps.now?.() ?? new Date());
    } catch (error) {
      if (!isQueryTimeout(error)) throw error;
      return c.json({ error: `counting the activity took longer than ${duration(deps.reads?.timeoutMs)}; narrow the window or the filters` }, TIMEOUT_STATUS);
    }
    c.header('Cache-Control', 'no-store');
    return c.json(activityJson(result));
  });

  api.all('*', (c) => c.json({ error: `no such API route: ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  return api;
}
