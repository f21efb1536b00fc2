/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The sign-in form. Its CSRF token is a double-submit pair (cookie + hidden field), since there
// is no session yet to bind it to.
import { Layout } from './layout.tsx';

export function SignInPage(props: { csrfToken: string; next?: string; email?: string; error?: string; notice?: string }) {
  return (
    <Layout title="Sign in">
      <section class="sign-in">
        <h1><span class="logo" aria-hidden="true">◆</span> Sign in to pgtrail</h1>
        <p class="muted">Who changed what, when, and from where.</p>
        {props.notice && <p class="notice" role="status">{props.notice}</p>}
        {props.error && <p class="error-box" role="alert">{props.error}</p>}
        <form method="post" action="/sign-in">
          <input type="hidden" name="_csrf" value={props.csrfToken} />
          {props.next && <input type="hidden" name="next" value={props.next} />}
          <label class="field" for="email"><span>Email</span>
            <input id="email" name="email" type="email" autocomplete="username" required autofocus value={props.email ?? ''} />
          </label>
          <label class="field" for="password"><span>Password</span>
            <input id="password" name="password" type="password" autocomplete="current-password" required />
          </label>
          <button type="submit" class="primary">Sign in</button>
        </form>
      </section>
    </Layout>
  );
}

/** The second step: after the password, the code from the app (or a recovery code). */
export function SecondFactorPage(props: { csrfToken: string; next?: string; error?: string }) {
  return (
    <Layout title="Two-factor sign-in">
      <section class="sign-in">
        <h1><span class="logo" aria-hidden="true">◆</span> Two-factor sign-in</h1>
        <p class="muted">Enter the 6-digit code your authenticator app shows for pgtrail, or one of your recovery codes.</p>
        {props.error && <p class="error-box" role="alert">{props.error}</p>}
        <form method="post" action="/sign-in/2fa">
          <input type="hidden" name="_csrf" value={props.csrfToken} />
          {props.next && <input type="hidden" name="next" value={props.next} />}
          <label class="field" for="code"><span>Code</span>
            <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus maxlength={16} spellcheck={false} />
          </label>
          <button type="submit" class="primary">Verify</button>
        </form>
        <p class="muted"><a href="/sign-in">← Start again</a></p>
      </section>
    </Layout>
  );
}
