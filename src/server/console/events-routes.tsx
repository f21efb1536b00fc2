/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The event list (also the record history, the transaction view and the sign-in log, which are
// the same list with preset filters) and the event detail page.
import { Hono, type Context } from 'hono';
import { FilterError, parseFilter, type EventFilter } from '../../query/filter.ts';
import { countEvents, DEFAULT_LIMIT, getEvent, listEvents } from '../../query/list.ts';
import { planQuery, type QueryPlan } from '../../query/plan.ts';
import { auditedTargets } from '../../query/targets.ts';
import { can } from '../../accounts/roles.ts';
import { ListPage, Results, type ListKind, type ListProps } from '../../../views/events.tsx';
import { EventPage, eventBack } from '../../../views/event.tsx';
import type { AppDeps } from '../deps.ts';
import { sealCovering, sealSummary } from '../../integrity/console-summary.ts';
import { SealBanner, SealNote } from '../../../views/integrity.tsx';
import { wantsFragment } from './request.ts';
import type { ConsoleEnv } from './env.ts';
import { clock } from './session.ts';
import { problem } from './problem.tsx';
import { duration, isQueryTimeout, scanHint, timeoutMessage, TIMEOUT_STATUS } from '../query-timeout.ts';
import { activity } from '../../query/activity.ts';
import { ActivityPanel, type ActivityResult } from '../../../views/activity.tsx';
import { isBigintId } from '../../db/ids.ts';


function heading(kind: ListKind, f: EventFilter): string | undefined {
  if (kind !== 'events') return undefined;
  if (f.target_type && f.target_id) return `History of ${f.target_type} #${f.target_id}`;
  if (f.tx_id) return `Transaction ${f.tx_id}`;
  return undefined;
}

export function eventRoutes(deps: AppDeps) {
  const app = new Hono<ConsoleEnv>();
  // Bounded by statement_timeout when serve.ts gives a pool for it (AppDeps.reads). The plan's
  // catalog reads are small and go to the unbounded pool, so a cut search still knows its plan.
  const reads = deps.reads?.pool ?? deps.pool;

  const list = (kind: ListKind, basePath: string) => async (c: Context<ConsoleEnv>) => {
    const params = new URL(c.req.url).searchParams;
    const live = params.get('live') === '1';
    const now = clock(deps);
    let result: ListProps['result'];
    let filter: EventFilter | undefined;
    let plan: QueryPlan | undefined;
    let activityPanel;
    // What the form echoes: the parsed actions, or (a refused filter) the values as typed.
    let actions = params.getAll('action');
    try {
      filter = parseFilter(params);
      actions = filter.action ?? [];
      // The sign-in log is the list with its actions preset; a cursor carries the preset too.
      if (kind === 'sign-ins' && !filter.action) filter.action = ['auth.*'];
      if (kind === 'sign-ins' && filter.action!.some((a) => !a.startsWith('auth.'))) throw new FilterError('action', 'the sign-in log shows auth.* actions only');
      const cursor = live ? undefined : params.get('cursor') ?? undefined;
      const planned = plan = await planQuery(deps.pool, filter, now, { targets: true });
      const [page, count, panel] = await Promise.all([
        listEvents(reads, planned, { limit: DEFAULT_LIMIT, cursor: cursor || undefined, secret: deps.secret }),
        countEvents(reads, planned),
        // Timed like the count; a cut panel says so and the list still renders.
        activity(reads, planned).then((a): ActivityResult => ({ activity: a }), (error): ActivityResult => {
          if (!isQueryTimeout(error)) throw error;
          return { timeout: timeoutMessage(planned, deps.reads?.timeoutMs) };
        }),
      ]);
      result = { page, count, hint: kind === 'events' ? scanHint(planned) : undefined };
      activityPanel = <ActivityPanel result={panel} basePath={basePath} params={params} />;
    } catch (error) {
      if (error instanceof FilterError) result = { error };
      else if (isQueryTimeout(error)) result = { timeout: timeoutMessage(plan, deps.reads?.timeoutMs) };
      else throw error;
    }
    const status = 'error' in result ? 400 : 'timeout' in result ? TIMEOUT_STATUS : 200;
    const props: ListProps = { kind, basePath, params, actions, live, canExport: can(c.get('principal'), 'export'), result, activity: activityPanel };
    c.header('Vary', 'HX-Request, X-Pgtrail-Whole-Page');
    // The activity panel's links change the window or a filter, so they ask for the whole page and
    // take #results and the filter form from it (views/activity.tsx).
    if (wantsFragment(c) && c.req.header('x-pgtrail-whole-page') !== '1') return c.html(<Results {...props} />, status);
    const targets = kind === 'events' ? (plan?.targets ?? await auditedTargets(deps.pool)).types : undefined;
    // The newest seal row and the last recorded verify only (two LIMIT 1 reads, on the unbounded
    // pool so a cut search still renders its page); a verify runs on the Integrity page.
    const seal = kind === 'events' ? <SealBanner summary={await sealSummary(deps.pool)} integrityLink={can(c.get('principal'), 'export')} /> : undefined;
    return c.html(<ListPage {...props} targetTypes={targets} principal={c.get('principal')!} csrfToken={c.get('csrfToken')}
      heading={filter ? heading(kind, filter) : undefined} seal={seal} />, status);
  };

  app.get('/', (c) => c.redirect('/events', 303));
  app.get('/events', list('events', '/events'));
  app.get('/sign-ins', list('sign-ins', '/sign-ins'));

  app.get('/events/:id', async (c) => {
    const id = c.req.param('id');
    if (!isBigintId(id)) return problem(c, 400, 'Bad request', `"${id.slice(0, 40)}" is not an event id (a whole number).`);
    const fields = c.req.query('fields');
    if (fields !== undefined && fields !== 'all' && fields !== 'changed') return problem(c, 400, 'Bad request', 'fields: must be "all" or "changed".');
    const back = eventBack(c.req.query('back'));
    if (back === null) return problem(c, 400, 'Bad request', 'back: must be a console list address such as /events?actor=42 (at most 4096 characters).');
    let event;
    try {
      event = await getEvent(reads, id);
    } catch (error) {
      if (!isQueryTimeout(error)) throw error;
      return problem(c, TIMEOUT_STATUS, 'Took too long', `Reading event ${id} took longer than ${duration(deps.reads?.timeoutMs)}; try again.`);
    }
    if (!event) return problem(c, 404, 'Not found', `There is no event ${id}; it may have expired under the retention setting.`);
    const seal = <SealNote seal={await sealCovering(deps.pool, id)} />;
    const target = (await auditedTargets(deps.pool)).info.get(event.target_type);
    return c.html(<EventPage e={event} all={fields === 'all'} back={back} principal={c.get('principal')!} csrfToken={c.get('csrfToken')} seal={seal} target={target} />);
  });

  return app;
}
