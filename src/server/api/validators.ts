// The JSON API's validators, one error shape: status 400, { "error": "<field>: <what is wrong>" }.
// Path ids are zod schemas (zValidator + apiHook). Query strings go through the URLSearchParams
// parsers the CLI and the exports share (parseFilter, parseLimit …), wrapped as the route's query
// validator, so a handler reads c.req.valid('query') and never sees an unchecked value.
import type { Context } from 'hono';
import { validator } from 'hono/validator';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import { UserError } from '../../db/errors.ts';
import { FILTER_KEYS, parseFilter } from '../../query/filter.ts';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../query/list.ts';
import { AS_OF_PARAMS, parseAsOfParams } from '../../query/record/request.ts';
import { bigintId, issueText } from '../schemas.ts';
import { LIST_PARAMS, parseCursor, parseLimit, rejectUnknownParams } from './params.ts';

function badRequest(c: Context, message: string): Response {
  return c.json({ error: message }, 400);
}

/** zValidator's hook for every API schema: the first issue as the JSON error. */
function apiHook(result: { success: true } | { success: false; error: z.core.$ZodError }, c: Context): Response | undefined {
  return result.success ? undefined : badRequest(c, issueText(result.error));
}

/** A query validator from a parser of the whole query string; its UserError is the 400. */
function apiQuery<T>(parse: (params: URLSearchParams) => T) {
  return validator('query', (_value, c) => {
    try {
      return parse(new URL(c.req.url).searchParams);
    } catch (error) {
      if (error instanceof UserError) return badRequest(c, error.message);
      throw error;
    }
  });
}

const EXPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const eventIdParam = zValidator('param', z.object({ id: bigintId('an event') }), apiHook);
/** An export id as X-Pgtrail-Export-Id gives it (lower-case UUID). */
export const exportIdParam = zValidator('param', z.object({
  id: z.string().regex(EXPORT_ID, { error: (issue) => `"${String(issue.input).slice(0, 40)}" is not an export id` }),
}), apiHook);

/** Routes that take no query parameters refuse any. */
export const noQuery = apiQuery((params) => rejectUnknownParams(params, []));

/** GET /events: a page of the filter. */
export const listQuery = apiQuery((params) => {
  rejectUnknownParams(params, LIST_PARAMS);
  const limit = parseLimit(params, DEFAULT_LIMIT, MAX_LIMIT);
  const cursor = parseCursor(params);
  const rest = new URLSearchParams(params);
  rest.delete('limit');
  rest.delete('cursor');
  return { limit, cursor, filter: parseFilter(rest) };
});

export const filterQuery = apiQuery((params) => {
  rejectUnknownParams(params, FILTER_KEYS);
  return parseFilter(params);
});

export const asOfQuery = apiQuery((params) => {
  rejectUnknownParams(params, AS_OF_PARAMS);
  return parseAsOfParams(params);
});
