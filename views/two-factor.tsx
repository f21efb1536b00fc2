/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Setting up two-factor sign-in: start, scan the QR code (or type the secret), confirm with a
// code; then the ten recovery codes, shown this once.
import type { Principal } from '../src/accounts/roles.ts';
import { CsrfField, Messages } from './forms.tsx';
import { Layout } from './layout.tsx';
import { QrCode } from './qr.tsx';

export interface EnrolProps {
  principal: Principal;
  csrfToken: string;
  /** Set once an enrolment is started: the otpauth URI (QR) and the secret in groups of four. */
  pending?: { uri: string; secret: string; expiresAt: string };
  required: boolean;
  error?: string;
}

export function EnrolPage(props: EnrolProps) {
  return (
    <Layout title="Set up two-factor sign-in" principal={props.principal} csrfToken={props.csrfToken} section="account">
      <section class="panel enrol">
        <h1>Set up two-factor sign-in</h1>
        {props.required && <p class="notice" role="status">Your role requires two-factor sign-in. Set it up to continue.</p>}
        <Messages error={props.error} />
        {props.pending ? (
          <>
            <ol class="steps">
              <li>Scan this code with an authenticator app (any app that supports TOTP).
                <div class="qr-box"><QrCode text={props.pending.uri} label={`QR code for pgtrail: ${props.principal.name}`} /></div>
              </li>
              <li>Or type this secret into the app (time-based, 6 digits, 30 seconds):
                <p><code class="secret" id="totp-secret">{props.pending.secret}</code></p>
              </li>
              <li>Enter the code the app shows, before {props.pending.expiresAt}:</li>
            </ol>
            <form method="post" action="/account/2fa/confirm" class="panel-form">
              <CsrfField token={props.csrfToken} />
              <label class="field" for="code"><span>Code</span>
                <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength={7} required autofocus />
              </label>
              <button type="submit" class="primary">Confirm</button>
            </form>
          </>
        ) : (
          <>
            <p>You will need an authenticator app on your phone or computer. After setting it up, signing in asks for the app's 6-digit code after your password.</p>
            <form method="post" action="/account/2fa/start" class="panel-form">
              <CsrfField token={props.csrfToken} />
              <button type="submit" class="primary">Start</button>
            </form>
          </>
        )}
        {!props.required && <p><a href="/account">← Back to your account</a></p>}
      </section>
    </Layout>
  );
}

export function RecoveryCodesPage(props: { principal: Principal; csrfToken: string; codes: string[] }) {
  return (
    <Layout title="Recovery codes" principal={props.principal} csrfToken={props.csrfToken} section="account">
      <section class="panel enrol">
        <h1>Two-factor sign-in is on</h1>
        <p class="notice" role="status">Save these recovery codes now: they are shown only this once. Each signs you in once if you lose your authenticator app.</p>
        <ul class="recovery-codes" id="recovery-codes">
          {props.codes.map((code) => <li><code>{code}</code></li>)}
        </ul>
        <p><a class="button primary" href="/account">I have saved them</a></p>
      </section>
    </Layout>
  );
}
