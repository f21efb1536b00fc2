// The zod pieces both HTTP surfaces validate with (src/server/api/validators.ts for the JSON API,
// src/server/console/validators.ts for the console), and the one way a failed check becomes a
// message: "<field>: <what is wrong>", the shape the filter parser's messages have too.
import { z } from 'zod';
import { ROLES } from '../accounts/roles.ts';
import { isBigintId } from '../db/ids.ts';

/** An id in a URL path (event, user, token, session): isBigintId, the one id test. */
export function bigintId(noun: string) {
  return z.string().refine(isBigintId, { error: (issue) => `"${String(issue.input).slice(0, 40)}" is not ${noun} id` });
}

/** One text field of a form: sent once, at most `max` bytes of UTF-8 (the unit the data layer and the filter count in). */
export function formText(max: number) {
  return z.string({ error: (issue) => (issue.input === undefined ? 'is missing' : Array.isArray(issue.input) ? 'may be given only once' : 'must be text, not a file') })
    .refine((value) => Buffer.byteLength(value) <= max, { error: `is longer than ${max} bytes` });
}

/** A role field (add user, change role, create token); the message is parseRole's. */
export const roleField = formText(40).pipe(z.enum(ROLES, { error: (issue) => `must be one of ${ROLES.join(', ')} (got "${String(issue.input).slice(0, 40)}")` }));

/** The first problem of a failed parse as one line; `labels` name fields as the page shows them. */
export function issueText(error: z.core.$ZodError, labels: Readonly<Record<string, string>> = {}): string {
  const issue = error.issues[0];
  if (!issue) return 'is not valid';
  const field = issue.path.length ? String(issue.path[0]) : '';
  return field ? `${labels[field] ?? field}: ${issue.message}` : issue.message;
}
