/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The signed-in user's own account: change the password, set up or turn off two-factor sign-in,
// see and end their live sessions.
import { MIN_PASSWORD_LENGTH } from '../src/accounts/passwords.ts';
import type { SessionInfo } from '../src/accounts/sessions.ts';
import type { Principal } from '../src/accounts/roles.ts';
import { CsrfField, Messages } from './forms.tsx';
import { Layout } from './layout.tsx';
import { SessionsTable } from './sessions.tsx';

export interface AccountProps {
  principal: Principal;
  csrfToken: string;
  sessionId: string;
  sessions: SessionInfo[];
  twoFactor: { enrolled: boolean; recoveryCodesLeft: number; required: boolean; available: boolean };
  notice?: string;
  error?: string;
}

/** Current password, new password twice. */
function PasswordForm({ csrfToken, forced }: { csrfToken: string; forced?: boolean }) {
  return (
    <form method="post" action="/account/password" class="panel-form" id="password-form">
      <CsrfField token={csrfToken} />
      <label class="field" for="p-current"><span>{forced ? 'Temporary password' : 'Current password'}</span>
        <input id="p-current" name="current" type="password" autocomplete="current-password" required />
      </label>
      <label class="field" for="p-new"><span>New password</span>
        <input id="p-new" name="password" type="password" autocomplete="new-password" minlength={MIN_PASSWORD_LENGTH} required />
        <small>At least {MIN_PASSWORD_LENGTH} characters, not your email.</small>
      </label>
      <label class="field" for="p-confirm"><span>New password again</span>
        <input id="p-confirm" name="confirm" type="password" autocomplete="new-password" minlength={MIN_PASSWORD_LENGTH} required />
      </label>
      <button type="submit" class="primary">Change password</button>
    </form>
  );
}

export function AccountPage(props: AccountProps) {
  const tf = props.twoFactor;
  return (
    <Layout title="Your account" principal={props.principal} csrfToken={props.csrfToken} section="account">
      <div class="page-head"><h1>Your account</h1><p class="muted">{props.principal.name} · <span class={`role role-${props.principal.role}`}>{props.principal.role}</span></p></div>
      <Messages notice={props.notice} error={props.error} />
      <section class="panel" aria-labelledby="h-password">
        <h2 id="h-password">Password</h2>
        <p class="muted">Changing it signs out your other sessions.</p>
        <PasswordForm csrfToken={props.csrfToken} />
      </section>
      <section class="panel" aria-labelledby="h-2fa">
        <h2 id="h-2fa">Two-factor sign-in</h2>
        {tf.enrolled ? (
          <>
            <p><strong class="on">On.</strong> Sign-in asks for a code from your authenticator app after the password. Recovery codes left: <strong>{tf.recoveryCodesLeft}</strong>.</p>
            {tf.required
              ? <p class="muted">Your role requires two-factor sign-in, so it cannot be turned off here; an admin can remove it.</p>
              : (
                <form method="post" action="/account/2fa/remove" class="panel-form">
                  <CsrfField token={props.csrfToken} />
                  <label class="field" for="r-password"><span>Your password</span><input id="r-password" name="password" type="password" autocomplete="current-password" required /></label>
                  <button type="submit" data-confirm="Turn off two-factor sign-in?">Turn off two-factor sign-in</button>
                </form>
              )}
          </>
        ) : tf.available ? (
          <>
            <p><strong>Off.</strong> {tf.required ? 'Your role requires it. ' : ''}Add a second step to sign-in: a 6-digit code from an authenticator app.</p>
            <a class="button primary" href="/account/2fa">Set up two-factor sign-in</a>
          </>
        ) : <p class="muted">Two-factor sign-in is not available: the server has no key to protect the secrets (PGTRAIL_TOTP_KEY).</p>}
      </section>
      <section class="panel" aria-labelledby="h-sessions">
        <h2 id="h-sessions">Your sessions</h2>
        <SessionsTable sessions={props.sessions} currentId={props.sessionId} csrfToken={props.csrfToken} endAction={(s) => `/account/sessions/${s.id}/end`} />
      </section>
    </Layout>
  );
}

/** The page a reset sends the user to before anything else (or a direct visit). */
export function ChangePasswordPage(props: { principal: Principal; csrfToken: string; forced: boolean; error?: string }) {
  return (
    <Layout title="Choose a new password" principal={props.principal} csrfToken={props.csrfToken} section="account">
      <section class="sign-in wide">
        <h1>Choose a new password</h1>
        {props.forced && <p class="notice" role="status">An admin reset your password. Choose your own before you continue.</p>}
        <Messages error={props.error} />
        <PasswordForm csrfToken={props.csrfToken} forced={props.forced} />
      </section>
    </Layout>
  );
}
