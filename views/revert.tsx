/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The revert preview: what will be undone, the exact statements and their parameters, the row now
// and after each step, every refusal with its reason, and the form that runs it (an override
// checkbox only when the row changed since, with the newer changes listed above it).
import { changesSeen, type Preview, type StepView } from '../src/revert/preview.ts';
import type { StepKind } from '../src/revert/plan.ts';
import type { Principal } from '../src/accounts/roles.ts';
import { Value, UtcTime } from './event.tsx';
import { CsrfField, Messages } from './forms.tsx';
import { Layout } from './layout.tsx';

export const NOT_ENABLED = 'revert is not enabled: set PGTRAIL_REVERT_DATABASE_URL to a login that may write the audited tables (see docs/revert.md), then restart the console. The SQL above is what it would run.';

const KIND: Record<StepKind, string> = {
  'undo-update': 'Undo this update',
  recreate: 'Re-create this deleted row',
  remove: 'Delete this inserted row',
};

type Row = Record<string, unknown>;

function Rows({ view, index, rowsRead }: { view: StepView; index: number; rowsRead: boolean }) {
  if (!rowsRead) {
    return <p class="muted revert-rows-unknown" id={`revert-rows-${index}`}>The row now is not shown: reading application tables needs the revert role, and revert is not enabled.</p>;
  }
  const before: Row | null = view.before ?? null;
  const after: Row | null = view.after ?? null;
  const defaulted = new Set(view.step.defaulted);
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {}), ...defaulted])];
  const same = (f: string) => before !== null && after !== null && f in before && f in after && JSON.stringify(before[f]) === JSON.stringify(after[f]);
  return (
    <table class="diff revert-rows" id={`revert-rows-${index}`}>
      <thead><tr><th scope="col">Column</th><th scope="col">{view.simulated ? 'Before this step' : 'Now'}</th><th scope="col">After the revert</th></tr></thead>
      <tbody>
        {fields.map((f) => (
          <tr class={same(f) ? 'same' : 'changed'}>
            <th scope="row">{f}</th>
            <td class="before">{before === null ? <span class="muted">(no row)</span> : <Value value={before[f]} absent={!(f in before)} />}</td>
            <td class="after">{after === null ? <span class="muted">(no row)</span> : defaulted.has(f) ? <span class="muted">(its default)</span> : <Value value={after[f]} absent={!(f in after)} />}</td>
          </tr>
        ))}
        {fields.length === 0 && <tr><td colspan={3} class="muted">No row now, and none after.</td></tr>}
      </tbody>
    </table>
  );
}

function Step({ view, index, rowsRead }: { view: StepView; index: number; rowsRead: boolean }) {
  const { step } = view;
  return (
    <section class="revert-step" aria-labelledby={`revert-step-${index}`}>
      <div class="block-head">
        <h2 id={`revert-step-${index}`}>{KIND[step.kind]} <span class="muted">
          <a href={`/events/${step.event.id}`}>event #{step.event.id}</a> · {step.event.target_label && <>{step.event.target_label} · </>}{step.table.name} ({step.keyText}) · <UtcTime iso={step.event.occurred_at} />
        </span></h2>
      </div>
      <pre class="revert-sql" id={`revert-sql-${index}`}>{step.statement.text}</pre>
      <dl class="revert-params">
        {step.statement.values.map((v, i) => <><dt>${i + 1}</dt><dd><code>{v}</code></dd></>)}
      </dl>
      {step.defaulted.length > 0 && <p class="muted">Not recorded, so left to {step.defaulted.length === 1 ? 'its default' : 'their defaults'}: {step.defaulted.join(', ')}.</p>}
      <Rows view={view} index={index} rowsRead={rowsRead} />
    </section>
  );
}

export interface RevertPageProps {
  preview: Preview;
  /** A revert pool is configured (PGTRAIL_REVERT_DATABASE_URL). */
  enabled: boolean;
  principal: Principal;
  csrfToken: string;
  error?: string;
}

export function RevertPage({ preview: p, enabled, principal, csrfToken, error }: RevertPageProps) {
  const tx = p.selector.kind === 'tx';
  const title = tx ? `Revert transaction ${p.selector.id}` : `Revert event ${p.selector.id}`;
  const back = tx ? `/events?tx_id=${p.selector.id}` : `/events/${p.selector.id}`;
  const action = tx ? `/transactions/${p.selector.id}/revert` : `/events/${p.selector.id}/revert`;
  const blocked = p.blocked.length > 0 || p.plan.steps.length === 0;
  const disabled = !enabled ? NOT_ENABLED : blocked ? 'Refused: see the reasons above.' : undefined;
  return (
    <Layout title={title} principal={principal} csrfToken={csrfToken} section="events">
      <p class="crumbs"><a href={back} id="revert-back">← {tx ? `Transaction ${p.selector.id}` : `Event ${p.selector.id}`}</a></p>
      <div class="page-head">
        <h1>{title}</h1>
        <p class="muted">
          {tx ? `Undoes the transaction's ${p.plan.steps.length} row change(s), newest first, ` : 'Undoes this row change '}
          in one transaction: all of it or nothing. The revert is recorded as ordinary events, by you, each linking what it reverts (metadata.reverts).
        </p>
      </div>
      <Messages error={error} />
      {p.blocked.length > 0 && (
        <div class="error-box revert-refusals" id="revert-refusals" role="alert">
          <strong>This cannot be reverted:</strong>
          <ul>{p.blocked.map((r) => <li>{r}</li>)}</ul>
        </div>
      )}
      {p.changed.length > 0 && (
        <div class="revert-changed" id="revert-changed" role="alert">
          <strong>The row changed since the event.</strong> Reverting now overwrites these changes:
          <ul>{p.changed.map((r) => <li>{r}</li>)}</ul>
          {p.newer.length > 0 && (
            <table class="revert-newer" id="revert-newer">
              <thead><tr><th scope="col">Newer event</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th></tr></thead>
              <tbody>
                {p.newer.map((e) => (
                  <tr>
                    <td><a href={`/events/${e.id}`}>#{e.id}</a></td>
                    <td><UtcTime iso={e.occurred_at} /></td>
                    <td>{e.actor_display}</td>
                    <td>{e.action}{e.changed_fields?.length ? `: ${e.changed_fields.join(', ')}` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
      {p.views.map((view, i) => <Step view={view} index={i + 1} rowsRead={p.rowsRead} />)}
      {p.plan.skipped.length > 0 && (
        <p class="muted" id="revert-skipped">Left as they are (application events, no row to put back): {p.plan.skipped.map((e) => `#${e.id} ${e.action}`).join(', ')}.</p>
      )}
      <form method="post" action={action} class="revert-form" id="revert-form">
        <CsrfField token={csrfToken} />
        {p.changed.length > 0 && !blocked && (
          <label class="revert-override">
            <input type="hidden" name="seen" value={changesSeen(p)} />
            <input type="checkbox" name="override" value="1" id="revert-override" required />
            {' '}Revert anyway, overwriting the newer changes listed above
          </label>
        )}
        <button type="submit" class="danger" id="revert-run" disabled={disabled !== undefined} aria-describedby={disabled ? 'revert-disabled' : undefined}>
          {tx ? 'Revert this transaction' : 'Revert this event'}
        </button>
        {disabled && <p class="muted" id="revert-disabled">{disabled}</p>}
      </form>
    </Layout>
  );
}
