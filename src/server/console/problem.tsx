/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Error responses of console routes: a whole page, or a fragment for htmx requests.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ProblemFragment, ProblemPage } from '../../../views/layout.tsx';
import { wantsFragment } from './request.ts';

const TITLES: Record<number, string> = { 400: 'Bad request', 401: 'Signed out', 403: 'Not allowed', 404: 'Not found', 429: 'Too many attempts', 500: 'Something went wrong' };

export function problem(c: Context, status: ContentfulStatusCode, title: string | undefined, message: string) {
  const heading = title ?? TITLES[status] ?? 'Error';
  if (wantsFragment(c)) {
    return c.html(<ProblemFragment title={heading} message={message} />, status);
  }
  return c.html(<ProblemPage status={status} title={heading} message={message} principal={c.get('principal')} csrfToken={c.get('csrfToken')} />, status);
}
