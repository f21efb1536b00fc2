// What a revert would do, before it is run: the statements, the row now and after, and every
// reason it cannot run (or may only with an explicit override). The console's preview page, the
// console's run (built again right before it) and `pgtrail revert` all start here.
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/queryable.ts';
import type { EventJson } from '../query/columns.ts';
import { inTransaction } from '../db/transaction.ts';
import { judgeRow, laterEvents, loadEvents, loadTables, pinCanonicalSettings, readRow, type Image, type Selector } from './check.ts';
import { planEvents, type Plan, type Step } from './plan.ts';

export interface StepView {
  step: Step;
  /** The row before this step: undefined when the table could not be read, null when there is no such row. */
  before?: Image | null;
  /** …and after it. */
  after?: Image | null;
  /** `before` is this step's simulation of the steps ahead of it, not a read. */
  simulated: boolean;
}

export interface Preview {
  selector: Selector;
  /** The event, or the transaction's events, newest first. */
  events: EventJson[];
  plan: Plan;
  views: StepView[];
  /** Reasons no override can lift. */
  blocked: string[];
  /** The row changed since: runs only with an explicit override, which overwrites these changes. */
  changed: string[];
  /** Later row changes of the records, shown before the admin confirms an override. */
  newer: EventJson[];
  /** Whether the rows now were read (a role that may read the tables was available). */
  rowsRead: boolean;
}

/**
 * The most events a transaction revert takes on: each is checked and shown one by one, and a
 * revert is a repair of a few rows, not a bulk restore (that is a job for SQL and a backup).
 */
const MAX_TX_EVENTS = 1000;

/**
 * What an override is given for: the newer changes the admin was shown. The form carries it, and
 * a run whose rebuilt preview shows other changes (the row changed again meanwhile) is refused.
 */
export function changesSeen(p: Preview): string {
  return createHash('sha256').update(JSON.stringify([p.changed, p.newer.map((e) => e.id)])).digest('base64url').slice(0, 22);
}

export function canRun(p: Preview, override: boolean): boolean {
  return p.plan.steps.length > 0 && p.blocked.length === 0 && (override || p.changed.length === 0);
}

const recordOf = (s: Step) => `${s.table.name}\u0000${s.key}`;

function apply(step: Step, row: Image | null): Image | null {
  if (step.kind === 'remove') return null;
  if (step.kind === 'recreate') return { ...step.sets };
  return row ? { ...row, ...step.sets } : row;
}

function describe(e: EventJson): string {
  const what = e.action === 'update' && e.changed_fields?.length ? `update of ${e.changed_fields.join(', ')}` : e.action;
  const reverts = e.metadata && 'reverts' in e.metadata ? `, a revert of #${String(e.metadata.reverts)}` : '';
  return `event #${e.id} (${what} by ${e.actor_display} at ${e.occurred_at}${reverts})`;
}

/**
 * `events`: reads the trail and the catalog (the console's own role can). `target`: reads the
 * tables, or nothing when no such role is configured — the rows now are then not shown, and the
 * statements and every other check still are. Null when there is no such event or transaction.
 */
export async function buildPreview(events: Queryable, target: Queryable | undefined, selector: Selector): Promise<Preview | null> {
  const found = await loadEvents(events, selector, MAX_TX_EVENTS + 1);
  if (found.length === 0) return null;
  if (found.length > MAX_TX_EVENTS) {
    return {
      selector, events: [], plan: { steps: [], refusals: [], skipped: [] }, views: [], changed: [], newer: [], rowsRead: false,
      blocked: [`transaction ${selector.id} recorded more than ${MAX_TX_EVENTS} events; a revert takes on at most ${MAX_TX_EVENTS} (restore bulk changes with SQL)`],
    };
  }
  const plan = planEvents(found, await loadTables(events, found), selector.kind === 'tx');
  const preview: Preview = { selector, events: found, plan, views: [], blocked: plan.refusals.map((r) => r.reason), changed: [], newer: [], rowsRead: false };
  if (selector.kind === 'tx' && plan.steps.length === 0 && plan.refusals.length === 0) {
    preview.blocked.push(`transaction ${selector.id} changed no rows (its ${found.length} event(s) are application events)`);
  }

  const excludeTx = selector.kind === 'tx' ? found[0].tx_id : undefined;
  const seen = new Set<number>();
  for (const step of plan.steps) {
    for (const e of await laterEvents(events, step, excludeTx)) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      preview.newer.push(e);
      preview.changed.push(`${step.table.name} (${step.keyText}) changed since event #${step.event.id}: ${describe(e)}`);
    }
  }
  preview.newer.sort((a, b) => a.id - b.id);

  if (!target) {
    preview.views = plan.steps.map((step) => ({ step, simulated: false }));
    return preview;
  }
  preview.rowsRead = true;
  await inTransaction(target, async (client) => {
    await pinCanonicalSettings(client);
    const state = new Map<string, Image | null>();
    for (const step of plan.steps) {
      const record = recordOf(step);
      const simulated = state.has(record);
      let before: Image | null;
      if (simulated) {
        before = state.get(record)!;
      } else {
        const now = await readRow(client, step, false);
        before = now.row;
        const verdict = judgeRow(step, now);
        if (verdict.blocked) preview.blocked.push(verdict.blocked);
        if (verdict.changed) preview.changed.push(verdict.changed);
      }
      const after = apply(step, before);
      state.set(record, after);
      preview.views.push({ step, before, after, simulated });
    }
  }, { begin: 'BEGIN READ ONLY' });
  return preview;
}
