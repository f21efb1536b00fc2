// The console's validators. A bad id in the path is the problem page (or its htmx fragment), 400,
// saying which id and why; a bad form field re-renders that form with the message, 400, through
// the route's own `again`. Messages are "<field>: <what is wrong>" (../schemas.ts issueText); a
// form may name its fields as the page labels them.
import type { Context } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import { bigintId, issueText } from '../schemas.ts';
import type { ConsoleEnv } from './env.ts';
import { problem } from './problem.tsx';

type Failed = { success: true } | { success: false; error: z.core.$ZodError };

function problemHook(result: Failed, c: Context): Response | Promise<Response> | undefined {
  return result.success ? undefined : problem(c, 400, 'Bad request', issueText(result.error));
}

/** Path ids, each checked with isBigintId: `idParams({ id: 'a user', sid: 'a session' })`. */
export function idParams<K extends string>(nouns: Record<K, string>) {
  const shape = Object.fromEntries(Object.entries<string>(nouns).map(([key, noun]) => [key, bigintId(noun)])) as Record<K, ReturnType<typeof bigintId>>;
  return zValidator('param', z.object(shape), problemHook);
}

/** A form body; on a bad field `again(c, message)` answers (the same form, 400, with the message). */
export function form<T extends z.ZodType>(schema: T, again: (c: Context<ConsoleEnv>, message: string) => Response | Promise<Response>, labels?: Readonly<Record<string, string>>) {
  // zValidator types its hook's context with the bare Env; these routes run in the console app.
  return zValidator('form', schema, (result, c) => (result.success ? undefined : again(c as unknown as Context<ConsoleEnv>, issueText(result.error, labels))));
}
