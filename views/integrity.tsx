/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Seals in the console: the line above the event list ("sealed and verified up to …"), the line
// on an event's detail (which seal covers it), and the Integrity page (admins and auditors): the
// seal chain, the last verify and a button that runs one.
import type { SealHead, SealSummary, VerifyResult } from '../src/integrity/console-summary.ts';
import type { Principal } from '../src/accounts/roles.ts';
import { utc } from './format.ts';
import { CsrfField, Messages } from './forms.tsx';
import { Layout } from './layout.tsx';

function verifyProblems(v: VerifyResult): string {
  return `${v.problems} problem(s)${v.kinds.length ? ` (${v.kinds.join(', ')})` : ''}`;
}

/** One line: sealed and verified up to when, or what failed, or not sealed. */
export function sealLine(s: SealSummary): { state: 'verified' | 'failed' | 'sealed' | 'unsealed'; text: string } {
  if (!s.head) return { state: 'unsealed', text: 'Not sealed: no seal has been made yet.' };
  const v = s.lastVerify;
  const upTo = utc(s.head.sealedAt);
  if (v && !v.ok) return { state: 'failed', text: `Verification failed on ${utc(v.at)}: ${verifyProblems(v)}. Sealed up to ${upTo}.` };
  if (v && v.headSeq === s.head.seq) return { state: 'verified', text: `Sealed and verified up to ${upTo} (seal #${s.head.seq}).` };
  if (v?.headSeq) return { state: 'sealed', text: `Sealed up to ${upTo} (seal #${s.head.seq}); verified up to seal #${v.headSeq}.` };
  return { state: 'sealed', text: `Sealed up to ${upTo} (seal #${s.head.seq}); not verified yet.` };
}

export function SealBanner({ summary, integrityLink }: { summary: SealSummary; integrityLink: boolean }) {
  if (!summary.installed) return null;
  const line = sealLine(summary);
  return (
    <p class={`seal-line seal-${line.state}`} id="seal-line" data-state={line.state} role={line.state === 'failed' ? 'alert' : undefined}>
      {line.text} {integrityLink && <a href="/integrity">Integrity</a>}
    </p>
  );
}

export function SealNote({ seal }: { seal: { seq: string; sealedAt: string } | null }) {
  return (
    <p class="seal-note" id="seal-note">
      {seal ? <>Covered by seal #{seal.seq}, sealed {utc(seal.sealedAt)}.</> : <>Not sealed yet.</>}
    </p>
  );
}

export interface IntegrityProps {
  principal: Principal;
  csrfToken: string;
  summary: SealSummary;
  chain: Array<SealHead & { count: string; firstId: string | null; keyFingerprint: string; expired: number }>;
  /** The text report of a verify run by this request. */
  report?: string;
  error?: string;
}

export function IntegrityPage(p: IntegrityProps) {
  const v = p.summary.lastVerify;
  return (
    <Layout title="Integrity" principal={p.principal} csrfToken={p.csrfToken} section="integrity">
      <div class="page-head">
        <h1>Integrity</h1>
        <p class="muted">The chain of signed seals over the events, and what the last verify found. See docs/integrity.md.</p>
      </div>
      <Messages error={p.error} />
      {p.summary.installed && <SealBanner summary={p.summary} integrityLink={false} />}
      <section aria-labelledby="last-verify">
        <h2 id="last-verify">Last verify</h2>
        {v
          ? <p id="verify-result" data-ok={String(v.ok)}>
              {v.ok ? 'Verified' : 'NOT verified'} on {utc(v.at)}{v.by ? ` by ${v.by}` : ''}: {v.seals} seal(s), {v.checked} recomputed, {v.events} event(s)
              {v.ok ? '' : `; ${verifyProblems(v)}`}{v.keyGiven ? '' : '; no expected key was given, so the stored keys were trusted'}.
              {' '}<a href={`/events/${v.eventId}`}>Event</a>
            </p>
          : <p id="verify-result" class="muted">No verify has been run from the console yet.</p>}
        <form method="post" action="/integrity/verify" class="verify-form">
          <CsrfField token={p.csrfToken} />
          <label>Expected key fingerprint <span class="muted">(optional, 64 hex characters)</span>
            <input type="text" name="key" maxlength={64} pattern="[0-9a-f]{64}" autocomplete="off" />
          </label>
          <button type="submit">Run verify now</button>
        </form>
        {p.report && <pre class="verify-report" id="verify-report">{p.report}</pre>}
      </section>
      <section aria-labelledby="chain">
        <h2 id="chain">Seal chain</h2>
        {p.chain.length === 0
          ? <p class="muted" id="no-seals">No seals yet: maintenance seals when its process has the seal key (`pgtrail seal` on demand).</p>
          : <table class="seals" id="seal-chain">
              <thead><tr><th>Seal</th><th>Sealed at</th><th>Events</th><th>Ids</th><th>Expired records</th><th>Key</th></tr></thead>
              <tbody>
                {p.chain.map((s) => (
                  <tr>
                    <td>#{s.seq}</td>
                    <td>{utc(s.sealedAt)}</td>
                    <td>{s.count}</td>
                    <td>{s.firstId === null ? '—' : `${s.firstId}–${s.lastId}`}</td>
                    <td>{s.expired}</td>
                    <td><code title={s.keyFingerprint}>{s.keyFingerprint.slice(0, 12)}…</code></td>
                  </tr>
                ))}
              </tbody>
            </table>}
      </section>
    </Layout>
  );
}
