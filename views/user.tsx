/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// One console user, for admins: role, enable / disable, password reset, second factor, sessions.
import type { SessionInfo } from '../src/accounts/sessions.ts';
import type { ConsoleUser } from '../src/accounts/users.ts';
import type { Principal } from '../src/accounts/roles.ts';
import { UtcTime } from './event.tsx';
import { CsrfField, Messages, PostButton, RoleSelect } from './forms.tsx';
import { Layout } from './layout.tsx';
import { SessionsTable } from './sessions.tsx';
import { UserState } from './users.tsx';

export function UserPage(props: { user: ConsoleUser; sessions: SessionInfo[]; principal: Principal; csrfToken: string; sessionId: string; notice?: string; error?: string }) {
  const u = props.user;
  const self = u.id === props.principal.id;
  const base = `/users/${u.id}`;
  return (
    <Layout title={u.email} principal={props.principal} csrfToken={props.csrfToken} section="users">
      <p class="crumbs"><a href="/users">← Users</a></p>
      <div class="page-head"><h1>{u.email}</h1><UserState u={u} /></div>
      <Messages notice={props.notice} error={props.error} />
      <section class="panel">
        <h2>Role</h2>
        <form method="post" action={`${base}/role`} class="panel-form row-form">
          <CsrfField token={props.csrfToken} />
          <label class="field" for="role"><span>Role</span>
            <RoleSelect id="role" selected={u.role} />
          </label>
          <button type="submit">Change role</button>
        </form>
        <p class="muted">Added <UtcTime iso={u.created_at.toISOString()} />; last sign-in {u.last_sign_in_at ? <UtcTime iso={u.last_sign_in_at.toISOString()} /> : 'never'}.</p>
      </section>
      {!self && (
        <section class="panel">
          <h2>Access</h2>
          <p>
            {u.disabled_at
              ? <PostButton action={`${base}/enable`} csrfToken={props.csrfToken} label="Enable this user" />
              : <PostButton action={`${base}/disable`} csrfToken={props.csrfToken} label="Disable this user" danger confirm={`Disable ${u.email}? Their sessions end now and they cannot sign in.`} />}
          </p>
          <p>
            <PostButton action={`${base}/reset-password`} csrfToken={props.csrfToken} label="Reset password" danger
              confirm={`Reset the password of ${u.email}? Their sessions end; you get a temporary password for them, which they must replace at the next sign-in.`} />
          </p>
          {u.two_factor && (
            <p>
              <PostButton action={`${base}/2fa/remove`} csrfToken={props.csrfToken} label="Remove second factor" danger
                confirm={`Remove the second factor of ${u.email}? They sign in with the password alone until they set up a new one.`} />
            </p>
          )}
        </section>
      )}
      <section class="panel">
        <h2>Sessions</h2>
        <SessionsTable sessions={props.sessions} currentId={props.sessionId} csrfToken={props.csrfToken} endAction={(s) => `${base}/sessions/${s.id}/end`} />
      </section>
    </Layout>
  );
}

/** After a reset: the temporary password, shown this once. */
export function TemporaryPasswordPage(props: { user: ConsoleUser; password: string; principal: Principal; csrfToken: string }) {
  return (
    <Layout title="Password reset" principal={props.principal} csrfToken={props.csrfToken} section="users">
      <section class="panel">
        <h1>Password reset for {props.user.email}</h1>
        <p class="notice" role="status">Give them this temporary password by a safe channel. It is shown only this once; at their next sign-in they must choose their own.</p>
        <p><code class="secret" id="temporary-password">{props.password}</code></p>
        <p><a href={`/users/${props.user.id}`}>← Back to {props.user.email}</a></p>
      </section>
    </Layout>
  );
}
