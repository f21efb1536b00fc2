// The one filter parser, shared by the console, the JSON API, CSV/JSONL exports and the CLI:
// same names, same semantics everywhere. Input arrives as URL search params (or CLI flags turned
// into them); every malformed value is a FilterError (→ 400 / exit 2) that says what was wrong.
//
// Time semantics: `from` is inclusive, `to` is exclusive. A date without a time means midnight UTC,
// and a date-only `to` covers that whole day (to=2026-11-24 → before 2026-11-25T00:00:00Z).
// Times without a zone are UTC. `window` (1h, 24h, 7d, 30d …) means "from now minus that".
import { isIP } from 'node:net';
import { createHash } from 'node:crypto';
import { UserError } from '../db/errors.ts';
import { isBigintId } from '../db/ids.ts';
import { VERB } from '../generator/verbs.ts';
import { parseIsoTime } from './time.ts';
import { ACTOR_TYPES, type ActorType } from '../audit/context.ts';

/** The sign-in log's outcomes, each recorded as one auth.* action (src/server/console/sign-in-routes.tsx). */
export const SIGN_IN_RESULTS = { signed_in: 'auth.sign_in', failed: 'auth.sign_in_failed', signed_out: 'auth.sign_out' } as const;
export type SignInResult = keyof typeof SIGN_IN_RESULTS;
/** Why a sign-in failed: metadata.reason of auth.sign_in_failed. */
export const SIGN_IN_REASONS = ['bad_credentials', 'locked', 'disabled'] as const;
export type SignInReason = (typeof SIGN_IN_REASONS)[number];

export interface EventFilter {
  actor_type?: ActorType;
  /** Exact actor_id. */
  actor_id?: string;
  /** Exact actor_id, or the start of actor_name ignoring case: what a person types into "actor". */
  actor?: string;
  /** Exact actions or prefixes (`auth.*`); any of them matches. */
  action?: string[];
  target_type?: string;
  target_id?: string;
  /** Relative window, e.g. 24h; mutually exclusive with from. */
  window?: string;
  from?: Date;
  to?: Date;
  /** An address (exact) or a CIDR block (contains). */
  ip?: string;
  /** Free text over actor names and ids, target ids, types and labels, actions (case-insensitive substring). */
  q?: string;
  /** Exact transaction (txid_current() of the writing transaction): "same transaction". */
  tx_id?: string;
  /** A sign-in outcome: the auth.* action it is recorded as (SIGN_IN_RESULTS). */
  result?: SignInResult;
  /** Why a sign-in failed; only failed sign-ins have one. */
  reason?: SignInReason;
  /** Domain verbs of updates (send, pause …, from the table's verb rules); any of them matches. */
  verb?: string[];
  /** `q` also searches the values inside old_data and new_data (off by default: it reads every row image in the window). */
  in_data?: true;
}

// New keys go at the end: the order feeds filterDigest, so existing cursors stay valid.
export const FILTER_KEYS = ['actor_type', 'actor_id', 'actor', 'action', 'target_type', 'target_id', 'window', 'from', 'to', 'ip', 'q', 'tx_id', 'result', 'reason', 'verb', 'in_data'] as const;

export class FilterError extends UserError {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'FilterError';
  }
}

const MAX_TEXT = 1024;
const MAX_Q = 200;
// A segment after the first may start with a digit (auth.2fa_enrol), as audit.log_event allows (0009).
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_]*)*(\.\*)?$/;
const WINDOW = /^(\d{1,4})(m|h|d)$/;
const WINDOW_UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function text(field: string, raw: string, max = MAX_TEXT): string {
  if (raw.includes('\0')) throw new FilterError(field, 'must not contain NUL bytes');
  if (Buffer.byteLength(raw) > max) throw new FilterError(field, `is longer than ${max} bytes`);
  return raw;
}

function parseTime(field: 'from' | 'to', raw: string): Date {
  const time = parseIsoTime(raw, (message) => new FilterError(field, message));
  // A date-only upper bound includes that whole day.
  return time.dateOnly && field === 'to' ? new Date(time.at.getTime() + 86_400_000) : time.at;
}

/** Validates "10.0.0.1" or "10.0.0.0/8" / "2001:db8::/32"; returns it normalised. */
function parseIp(raw: string): string {
  const value = raw.trim();
  const [address, prefix, extra] = value.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) throw new FilterError('ip', `"${value.slice(0, 60)}" is not an IP address or CIDR block`);
  if (prefix !== undefined) {
    const max = family === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) throw new FilterError('ip', `prefix length must be 0–${max}`);
  }
  return value;
}

/** Parses filter parameters; empty values count as absent (an HTML form sends every field). */
export function parseFilter(params: URLSearchParams): EventFilter {
  const one = (key: string): string | undefined => {
    const all = params.getAll(key).filter((v) => v.trim() !== '');
    if (all.length > 1) throw new FilterError(key, 'may be given only once');
    return all[0];
  };
  const filter: EventFilter = {};

  const actorType = one('actor_type');
  if (actorType !== undefined) {
    if (!(ACTOR_TYPES as readonly string[]).includes(actorType)) throw new FilterError('actor_type', `must be one of ${ACTOR_TYPES.join(', ')}`);
    filter.actor_type = actorType as ActorType;
  }
  for (const key of ['actor_id', 'actor', 'target_type', 'target_id'] as const) {
    const value = one(key);
    if (value !== undefined) filter[key] = text(key, value.trim());
  }

  const actions = params.getAll('action').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (actions.length > 20) throw new FilterError('action', 'at most 20 actions');
  for (const action of actions) {
    text('action', action, 100);
    if (!ACTION.test(action)) {
      throw new FilterError('action', `"${action.slice(0, 60)}" is not an action (insert, update, delete, truncate, noun.verb) or a prefix such as auth.*`);
    }
  }
  if (actions.length > 0) filter.action = [...new Set(actions)].sort();

  const verbs = params.getAll('verb').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (verbs.length > 20) throw new FilterError('verb', 'at most 20 verbs');
  for (const verb of verbs) {
    text('verb', verb, 63);
    if (!VERB.test(verb)) throw new FilterError('verb', `"${verb.slice(0, 60)}" is not a verb (a lower-case word such as send, pause)`);
  }
  if (verbs.length > 0) filter.verb = [...new Set(verbs)].sort();

  const window = one('window');
  if (window !== undefined) {
    const m = WINDOW.exec(window.trim());
    if (!m || Number(m[1]) === 0) throw new FilterError('window', `"${window.slice(0, 20)}" is not a window; use e.g. 1h, 24h, 7d, 30d`);
    filter.window = window.trim();
  }
  const from = one('from');
  const to = one('to');
  if (from !== undefined) filter.from = parseTime('from', text('from', from, 64));
  if (to !== undefined) filter.to = parseTime('to', text('to', to, 64));
  if (filter.window && filter.from) throw new FilterError('window', 'use either a window or a from time, not both');
  if (filter.from && filter.to && filter.from >= filter.to) throw new FilterError('from', 'must be before to');

  const ip = one('ip');
  if (ip !== undefined) filter.ip = parseIp(text('ip', ip, 64));
  const q = one('q');
  if (q !== undefined) filter.q = text('q', q.trim(), MAX_Q);
  const inData = one('in_data')?.trim();
  if (inData !== undefined) {
    if (inData !== '1') throw new FilterError('in_data', `must be 1 (search inside row values too), got "${inData.slice(0, 20)}"`);
    // It only widens q: without a search term (the form's box left ticked) there is nothing to widen.
    if (filter.q !== undefined) filter.in_data = true;
  }
  const txId = one('tx_id');
  if (txId !== undefined) {
    // A bigint; txid_current() values stay far below 2^63.
    if (!isBigintId(txId.trim())) throw new FilterError('tx_id', `"${txId.slice(0, 30)}" is not a transaction id (a whole number)`);
    filter.tx_id = txId.trim().replace(/^0+(?=\d)/, '');
  }
  const result = one('result')?.trim();
  if (result !== undefined) {
    if (!Object.hasOwn(SIGN_IN_RESULTS, result)) throw new FilterError('result', `"${result.slice(0, 40)}" is not a sign-in result; use one of ${Object.keys(SIGN_IN_RESULTS).join(', ')}`);
    filter.result = result as SignInResult;
  }
  const reason = one('reason')?.trim();
  if (reason !== undefined) {
    if (!(SIGN_IN_REASONS as readonly string[]).includes(reason)) throw new FilterError('reason', `"${reason.slice(0, 40)}" is not a reason a sign-in fails for; use one of ${SIGN_IN_REASONS.join(', ')}`);
    if (filter.result && filter.result !== 'failed') throw new FilterError('reason', `only failed sign-ins have a reason; use it with result=failed, not result=${filter.result}`);
    filter.reason = reason as SignInReason;
  }
  return filter;
}

/** Start of a relative window at `now`. */
export function windowStart(window: string, now: Date): Date {
  const m = WINDOW.exec(window)!;
  return new Date(now.getTime() - Number(m[1]) * WINDOW_UNIT_MS[m[2] as keyof typeof WINDOW_UNIT_MS]);
}

/** Where the filter's time window starts (a quick pick or `from`), if it has a start. */
export function windowFrom(filter: Pick<EventFilter, 'window' | 'from'>, now: Date): Date | undefined {
  return filter.window ? windowStart(filter.window, now) : filter.from;
}

/** The filter as URL parameters (for links, bookmarks and the next page). */
export function filterToParams(filter: EventFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filter[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
    else if (value === true) params.set(key, '1');
    else params.set(key, value instanceof Date ? value.toISOString() : value);
  }
  return params;
}

/** A stable digest of the filter; cursors carry it so they cannot be replayed with other filters. */
export function filterDigest(filter: EventFilter): string {
  return createHash('sha256').update(filterToParams(filter).toString()).digest('base64url').slice(0, 22);
}
