// The query string of "as of", shared by the console page and the JSON API:
//   target_type  schema.table, or the application type a table stands for (required)
//   target_id    the record's key as events carry it (required)
//   at           a time or a date (a date: the end of that day, UTC); absent: now
//   event        an event id: as of just after that event (wins over at)
//   compare      a second time or date: the difference between the two points
// Empty values count as absent (an HTML form sends every field); each at most once.
import { UserError } from '../../db/errors.ts';
import { isBigintId } from '../../db/ids.ts';
import type { AsOfRequest } from './as-of.ts';
import { checkText } from './target.ts';
import { parseAsOfTime } from './time.ts';

export const AS_OF_PARAMS = ['target_type', 'target_id', 'at', 'event', 'compare'] as const;

export function parseAsOfParams(params: URLSearchParams): AsOfRequest {
  const one = (key: string): string | undefined => {
    const all = params.getAll(key).filter((v) => v.trim() !== '');
    if (all.length > 1) throw new UserError(`${key}: may be given only once`);
    return all[0];
  };
  const request: AsOfRequest = {
    targetType: checkText('target_type', one('target_type')).trim(),
    targetId: checkText('target_id', one('target_id')),
  };
  const at = one('at');
  if (at !== undefined) request.at = parseAsOfTime('at', at);
  const compare = one('compare');
  if (compare !== undefined) request.compare = parseAsOfTime('compare', compare);
  const event = one('event')?.trim();
  if (event !== undefined) {
    if (!isBigintId(event)) throw new UserError(`event: "${event.slice(0, 40)}" is not an event id (a whole number)`);
    request.eventId = event.replace(/^0+(?=\d)/, '');
  }
  return request;
}
