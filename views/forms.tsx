/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Small form pieces of the account and admin pages: every POST carries the session's CSRF token.
import type { Child } from 'hono/jsx';
import { ROLE_TEXT, ROLES, type Role } from '../src/accounts/roles.ts';

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A one-button form (end a session, revoke a token …); `confirm` asks first (console.js). */
export function PostButton(props: { action: string; csrfToken: string; label: string; confirm?: string; danger?: boolean; children?: Child }) {
  return (
    <form method="post" action={props.action} class="inline">
      <CsrfField token={props.csrfToken} />
      {props.children}
      <button type="submit" class={props.danger ? 'link danger' : 'link'} data-confirm={props.confirm}>{props.label}</button>
    </form>
  );
}

/** Notice and error lines at the top of a page. */
export function Messages({ notice, error }: { notice?: string; error?: string }) {
  return (
    <>
      {notice && <p class="notice" role="status">{notice}</p>}
      {error && <p class="error-box" role="alert">{error}</p>}
    </>
  );
}

/** The role picker of the add-user, change-role and create-token forms. */
export function RoleSelect({ id, selected }: { id: string; selected: Role }) {
  return <select id={id} name="role">{ROLES.map((r) => <option value={r} selected={r === selected}>{r} — {ROLE_TEXT[r]}</option>)}</select>;
}
