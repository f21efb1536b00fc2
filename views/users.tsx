/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Console users, for admins: who may sign in, with which role; add and remove.
import type { ConsoleUser } from '../src/console/users.ts';
import { ROLES, type Principal } from '../src/server/auth/principal.ts';
import { Layout } from './layout.tsx';
import { UtcTime } from './event.tsx';

const ROLE_TEXT = { admin: 'everything, manages users', auditor: 'view and export', viewer: 'view only' } as const;

export function UsersPage(props: { users: ConsoleUser[]; principal: Principal; csrfToken: string; error?: string; notice?: string; status?: number }) {
  return (
    <Layout title="Users" principal={props.principal} csrfToken={props.csrfToken} section="users">
      <div class="page-head"><h1>Users</h1><p class="muted">Adding and removing users and setting a password are recorded as <code>user.create</code> / <code>user.delete</code> / <code>user.set_password</code> events.</p></div>
      {props.notice && <p class="notice" role="status">{props.notice}</p>}
      {props.error && <p class="error-box" role="alert">{props.error}</p>}
      <table class="events users">
        <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Added</th><th scope="col">Last sign-in</th><th /></tr></thead>
        <tbody>
          {props.users.map((u) => (
            <tr>
              <td>{u.email}</td>
              <td><span class={`role role-${u.role}`}>{u.role}</span> <span class="muted">{ROLE_TEXT[u.role]}</span></td>
              <td><UtcTime iso={u.created_at.toISOString()} /></td>
              <td>{u.last_sign_in_at ? <UtcTime iso={u.last_sign_in_at.toISOString()} /> : <span class="muted">never</span>}</td>
              <td>
                {u.id !== props.principal.id && (
                  <form method="post" action={`/users/${u.id}/delete`} class="inline">
                    <input type="hidden" name="_csrf" value={props.csrfToken} />
                    <button type="submit" class="link danger" data-confirm={`Remove ${u.email}? Their sessions end now.`}>Remove</button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="post" action="/users" class="add-user">
        <h2>Add a user</h2>
        <input type="hidden" name="_csrf" value={props.csrfToken} />
        <label class="field" for="u-email"><span>Email</span><input id="u-email" name="email" type="email" required autocomplete="off" /></label>
        <label class="field" for="u-role"><span>Role</span>
          <select id="u-role" name="role">{ROLES.map((r) => <option value={r} selected={r === 'viewer'}>{r} — {ROLE_TEXT[r]}</option>)}</select>
        </label>
        <label class="field" for="u-password"><span>Initial password</span><input id="u-password" name="password" type="password" minlength={10} required autocomplete="new-password" /></label>
        <button type="submit" class="primary">Add user</button>
      </form>
    </Layout>
  );
}
