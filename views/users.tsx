/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Console users, for admins: who may sign in, with which role and factors; add users, open one to
// change it, and set which roles must use two-factor sign-in.
import type { ConsoleUser } from '../src/accounts/users.ts';
import { ROLE_TEXT, ROLES, type Principal, type Role } from '../src/accounts/roles.ts';
import { Layout } from './layout.tsx';
import { UtcTime } from './event.tsx';
import { CsrfField, Messages, PostButton, RoleSelect } from './forms.tsx';

export function UserState({ u }: { u: ConsoleUser }) {
  return (
    <span class="states">
      {u.disabled_at && <span class="state state-off">disabled</span>}
      {u.two_factor ? <span class="state state-on" title="signs in with a second factor">2FA</span> : <span class="state" title="password only">no 2FA</span>}
      {u.must_change_password && <span class="state" title="must choose a new password at the next sign-in">new password due</span>}
    </span>
  );
}

export function UsersPage(props: { users: ConsoleUser[]; principal: Principal; csrfToken: string; require2fa: Role[]; error?: string; notice?: string; status?: number }) {
  return (
    <Layout title="Users" principal={props.principal} csrfToken={props.csrfToken} section="users">
      <div class="page-head"><h1>Users</h1><p class="muted">Every change here is recorded in the trail (<code>user.*</code> and <code>auth.*</code> events) with you as the actor.</p></div>
      <Messages notice={props.notice} error={props.error} />
      <table class="events users">
        <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Added</th><th scope="col">Last sign-in</th><th /></tr></thead>
        <tbody>
          {props.users.map((u) => (
            <tr data-user={u.email}>
              <td><a href={`/users/${u.id}`}>{u.email}</a></td>
              <td><span class={`role role-${u.role}`}>{u.role}</span> <span class="muted">{ROLE_TEXT[u.role]}</span></td>
              <td><UserState u={u} /></td>
              <td><UtcTime iso={u.created_at.toISOString()} /></td>
              <td>{u.last_sign_in_at ? <UtcTime iso={u.last_sign_in_at.toISOString()} /> : <span class="muted">never</span>}</td>
              <td>
                {u.id !== props.principal.id && (
                  <PostButton action={`/users/${u.id}/delete`} csrfToken={props.csrfToken} label="Remove" danger confirm={`Remove ${u.email}? Their sessions end now.`} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="post" action="/users" class="add-user">
        <h2>Add a user</h2>
        <CsrfField token={props.csrfToken} />
        <label class="field" for="u-email"><span>Email</span><input id="u-email" name="email" type="email" required autocomplete="off" /></label>
        <label class="field" for="u-role"><span>Role</span>
          <RoleSelect id="u-role" selected="viewer" />
        </label>
        <label class="field" for="u-password"><span>Initial password</span><input id="u-password" name="password" type="password" minlength={10} required autocomplete="new-password" /></label>
        <button type="submit" class="primary">Add user</button>
      </form>
      <form method="post" action="/users/policy" class="add-user" id="policy">
        <h2>Two-factor sign-in</h2>
        <CsrfField token={props.csrfToken} />
        <p class="muted">Users of a checked role must set up two-factor sign-in before they can see anything else.</p>
        <fieldset class="field"><legend>Required for</legend>
          {ROLES.map((r) => <label class="check"><input type="checkbox" name="require_2fa" value={r} checked={props.require2fa.includes(r)} /> {r}</label>)}
        </fieldset>
        <button type="submit">Save</button>
      </form>
    </Layout>
  );
}
