/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// API tokens, for admins: list, create (the token is shown once), revoke.
import type { Principal } from '../src/accounts/roles.ts';
import type { TokenInfo } from '../src/accounts/tokens.ts';
import { UtcTime } from './event.tsx';
import { CsrfField, Messages, PostButton, RoleSelect } from './forms.tsx';
import { Layout } from './layout.tsx';

export function TokensPage(props: { tokens: TokenInfo[]; principal: Principal; csrfToken: string; created?: TokenInfo & { token: string }; notice?: string; error?: string }) {
  return (
    <Layout title="API tokens" principal={props.principal} csrfToken={props.csrfToken} section="tokens">
      <div class="page-head"><h1>API tokens</h1><p class="muted">For the JSON API and exports (<code>Authorization: Bearer pgt_…</code>). Creating and revoking are recorded as <code>api_token.create</code> / <code>api_token.revoke</code>.</p></div>
      <Messages notice={props.notice} error={props.error} />
      {props.created && (
        <section class="panel created-token">
          <h2>Token "{props.created.name}" created</h2>
          <p class="notice" role="status">Copy it now: it is shown only this once (only its hash is stored).</p>
          <p><code class="secret" id="new-token">{props.created.token}</code></p>
        </section>
      )}
      {props.tokens.length === 0 ? <p class="muted">No API tokens yet.</p> : (
        <table class="events users">
          <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Created</th><th scope="col">Last used</th><th /></tr></thead>
          <tbody>
            {props.tokens.map((t) => (
              <tr data-token={t.name}>
                <td class="mono">{t.name} <span class="muted">#{t.id}</span></td>
                <td><span class={`role role-${t.role}`}>{t.role}</span></td>
                <td>{t.revoked_at ? <span class="state state-off">revoked <UtcTime iso={t.revoked_at.toISOString()} /></span> : <span class="state state-on">live</span>}</td>
                <td><UtcTime iso={t.created_at.toISOString()} /> <span class="muted">by {t.created_by}</span></td>
                <td>{t.last_used_at ? <UtcTime iso={t.last_used_at.toISOString()} /> : <span class="muted">never</span>}</td>
                <td>{!t.revoked_at && <PostButton action={`/tokens/${t.id}/revoke`} csrfToken={props.csrfToken} label="Revoke" danger confirm={`Revoke "${t.name}"? Clients using it stop working at once.`} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method="post" action="/tokens" class="add-user">
        <h2>Create a token</h2>
        <CsrfField token={props.csrfToken} />
        <label class="field" for="t-name"><span>Name</span><input id="t-name" name="name" required pattern="[a-z0-9][a-z0-9._\-]{0,62}" placeholder="siem-pull" autocomplete="off" /></label>
        <label class="field" for="t-role"><span>Role</span>
          <RoleSelect id="t-role" selected="auditor" />
        </label>
        <button type="submit" class="primary">Create token</button>
      </form>
    </Layout>
  );
}
