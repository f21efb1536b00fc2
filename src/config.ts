// The environment, parsed once at start-up. Nothing else in pgtrail reads process.env.
import { z } from 'zod';
import { UserError } from './db/errors.ts';

const schema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .min(1)
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://')
    .optional(),
  /** Where the embedded PostgreSQL keeps its data when DATABASE_URL is not set. */
  PGTRAIL_DATA_DIR: z.string().min(1).default('.pgtrail/data'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** 1/true: the CLI prints stack traces of unexpected errors. */
  PGTRAIL_DEBUG: z.stringbool().default(false),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
