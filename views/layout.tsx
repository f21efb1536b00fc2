/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The page shell: head (CSS, htmx and the console's script, all served by the console itself),
// the top bar with navigation and the signed-in user, and the main area.
import type { Child } from 'hono/jsx';
import { can, type Principal } from '../src/accounts/roles.ts';

// htmx settings, read by htmx from this meta tag (no inline script, so the CSP stays strict):
// 400 fragments are swapped in (they say what is wrong with the filters); no injected <style>,
// no eval; a history restore fetches the full page, not the fragment.
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyRestoreAsHxRequest: false,
  refreshOnHistoryMiss: true,
  defaultSettleDelay: 0,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '400', swap: true, error: false },
    { code: '[45]..', swap: false, error: true },
  ],
});

export type Section = 'events' | 'sign-ins' | 'users' | 'tokens' | 'integrity' | 'account' | 'none';

export interface LayoutProps {
  title: string;
  principal?: Principal;
  csrfToken?: string;
  section?: Section;
  children?: Child;
}

export function Layout({ title, principal, csrfToken, section = 'none', children }: LayoutProps) {
  const nav = (href: string, name: Section, label: string) => (
    <a href={href} class={section === name ? 'current' : undefined} aria-current={section === name ? 'page' : undefined}>{label}</a>
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{title} · pgtrail</title>
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/console.css" />
        <link rel="stylesheet" href="/assets/activity.css" />
        <link rel="stylesheet" href="/assets/as-of.css" />
        <link rel="stylesheet" href="/assets/revert.css" />
        <script src="/assets/htmx.min.js" defer></script>
        <script src="/assets/console.js" defer></script>
      </head>
      <body hx-headers={csrfToken ? JSON.stringify({ 'X-CSRF-Token': csrfToken }) : undefined}>
        <a class="skip" href="#main">Skip to content</a>
        <header class="topbar">
          <a class="brand" href="/events"><span class="logo" aria-hidden="true">◆</span> pgtrail</a>
          {principal && (
            <nav aria-label="Sections">
              {nav('/events', 'events', 'Events')}
              {nav('/sign-ins', 'sign-ins', 'Sign-in log')}
              {can(principal, 'manageUsers') && nav('/users', 'users', 'Users')}
              {can(principal, 'manageUsers') && nav('/tokens', 'tokens', 'API tokens')}
              {can(principal, 'export') && nav('/integrity', 'integrity', 'Integrity')}
            </nav>
          )}
          {principal && (
            <div class="me">
              <a class={`who${section === 'account' ? ' current' : ''}`} href="/account" title={`signed in as ${principal.name}: your account`}>{principal.name}</a>
              <span class={`role role-${principal.role}`}>{principal.role}</span>
              <form method="post" action="/sign-out">
                <input type="hidden" name="_csrf" value={csrfToken} />
                <button type="submit" class="link">Sign out</button>
              </form>
            </div>
          )}
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

/** The same problem inside the results region, for an htmx request that swaps only that. */
export function ProblemFragment(props: { title: string; message: string }) {
  return <section id="results" class="results"><div class="error-box" role="alert"><strong>{props.title}.</strong> {props.message}</div></section>;
}

/** A whole page saying what went wrong (400, 403, 404, 500). */
export function ProblemPage(props: { status: number; title: string; message: string; principal?: Principal; csrfToken?: string; back?: string }) {
  return (
    <Layout title={props.title} principal={props.principal} csrfToken={props.csrfToken}>
      <section class="problem" role="alert">
        <p class="status">{props.status}</p>
        <h1>{props.title}</h1>
        <p>{props.message}</p>
        <p><a href={props.back ?? '/events'}>← Back to events</a></p>
      </section>
    </Layout>
  );
}
