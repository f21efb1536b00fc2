/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Live console sessions: when they started, from where (IP, user agent), last seen, the factors
// they were signed in with; each with an "End" button (the caller says where it posts).
import type { SessionInfo } from '../src/accounts/sessions.ts';
import { UtcTime } from './event.tsx';
import { PostButton } from './forms.tsx';

const FACTOR_TEXT: Record<string, string> = { password: 'password', totp: 'authenticator code', recovery_code: 'recovery code' };

export function SessionsTable(props: { sessions: SessionInfo[]; currentId?: string; csrfToken: string; endAction: (s: SessionInfo) => string; showUser?: boolean }) {
  if (props.sessions.length === 0) return <p class="muted">No live sessions.</p>;
  return (
    <table class="events users sessions">
      <thead>
        <tr>
          {props.showUser && <th scope="col">User</th>}
          <th scope="col">Signed in</th><th scope="col">Last seen</th><th scope="col">IP</th><th scope="col">User agent</th><th scope="col">Factors</th><th />
        </tr>
      </thead>
      <tbody>
        {props.sessions.map((s) => (
          <tr data-session={s.id}>
            {props.showUser && <td>{s.email}</td>}
            <td><UtcTime iso={s.created_at.toISOString()} /></td>
            <td><UtcTime iso={s.last_seen_at.toISOString()} /></td>
            <td class="mono">{s.ip ?? <span class="muted">unknown</span>}</td>
            <td class="ua">{s.user_agent ?? <span class="muted">unknown</span>}</td>
            <td>{s.factors.map((f) => FACTOR_TEXT[f] ?? f).join(' + ')}</td>
            <td>
              {s.id === props.currentId
                ? <span class="muted">this session</span>
                : <PostButton action={props.endAction(s)} csrfToken={props.csrfToken} label="End" danger confirm="End this session? Whoever uses it is signed out." />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
