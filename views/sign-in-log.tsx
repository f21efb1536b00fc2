/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The sign-in log's own columns (result, reason) and filters: the event list shows auth.* events
// with these in place of the action column and the action checkboxes. The values are the
// filter's (result=failed, reason=locked), so what a cell says can be typed into the URL.
import type { EventJson } from '../src/query/columns.ts';
import { SIGN_IN_REASONS, SIGN_IN_RESULTS, type SignInResult } from '../src/query/filter.ts';

const RESULT_LABELS: Record<SignInResult, string> = { signed_in: 'signed in', failed: 'failed', signed_out: 'signed out' };
const RESULT_CLASSES: Record<SignInResult, string> = { signed_in: 'act act-auth', failed: 'act act-failed', signed_out: 'act act-auth' };
const REASON_TITLES: Record<string, string> = {
  bad_credentials: 'the email and password did not match',
  locked: 'too many failed attempts: refused without checking the password',
  disabled: 'the password matched, but an admin has disabled the account',
};

function resultOf(action: string): SignInResult | undefined {
  return (Object.keys(SIGN_IN_RESULTS) as SignInResult[]).find((r) => SIGN_IN_RESULTS[r] === action);
}

export function SignInHeaders() {
  return (
    <>
      <th scope="col" class="c-result">Result</th>
      <th scope="col" class="c-reason">Reason</th>
    </>
  );
}

/** Result and reason of one auth.* event; an auth.* action without a result shows as itself. */
export function SignInCells({ e }: { e: Pick<EventJson, 'action' | 'metadata'> }) {
  const result = resultOf(e.action);
  const reason = result === 'failed' && typeof e.metadata?.reason === 'string' ? e.metadata.reason : undefined;
  return (
    <>
      <td class="result" data-result={result ?? ''}>
        <span class={result ? RESULT_CLASSES[result] : 'act act-auth'} title={e.action}>{result ? RESULT_LABELS[result] : e.action}</span>
      </td>
      <td class="reason" data-reason={reason ?? ''} title={reason ? REASON_TITLES[reason] : undefined}>{reason ?? ''}</td>
    </>
  );
}

/** The result and reason selects of the filter form; `invalid` names the field a 400 was about. */
export function SignInFilters({ params, invalid }: { params: URLSearchParams; invalid?: string }) {
  const select = (name: 'result' | 'reason', label: string, options: Array<[string, string]>) => (
    <label class={`field${invalid === name ? ' invalid' : ''}`} for={`f-${name}`}>
      <span>{label}</span>
      <select id={`f-${name}`} name={name} aria-invalid={invalid === name ? 'true' : undefined}>
        {options.map(([v, l]) => <option value={v} selected={(params.get(name) ?? '') === v}>{l}</option>)}
      </select>
    </label>
  );
  return (
    <>
      {select('result', 'Result', [['', 'all sign-in events'], ...(Object.keys(SIGN_IN_RESULTS) as SignInResult[]).map((r): [string, string] => [r, RESULT_LABELS[r]])])}
      {select('reason', 'Reason (failed)', [['', 'any reason'], ...SIGN_IN_REASONS.map((r): [string, string] => [r, r])])}
    </>
  );
}
