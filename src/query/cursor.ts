// Opaque keyset cursors: the last id seen, bound to the filter digest and signed, so a forged
// cursor, a stale one (other secret) or one replayed with different filters is refused (400).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { FilterError } from './filter.ts';
import { isBigintId } from '../db/ids.ts';

export function encodeCursor(lastId: string, digest: string, secret: string): string {
  const payload = Buffer.from(`${lastId}.${digest}`).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** The id to continue below; throws FilterError('cursor', …) when it does not belong here. */
export function decodeCursor(cursor: string, digest: string, secret: string): string {
  const [payload, signature, extra] = cursor.split('.');
  if (!payload || !signature || extra !== undefined || cursor.length > 200) throw new FilterError('cursor', 'is malformed');
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new FilterError('cursor', 'is not valid (forged, or from an earlier server secret); start again from the first page');
  }
  const [lastId, boundDigest] = Buffer.from(payload, 'base64url').toString().split('.');
  if (boundDigest !== digest) throw new FilterError('cursor', 'belongs to other filters; start again from the first page');
  if (!isBigintId(lastId)) throw new FilterError('cursor', 'is malformed');
  return lastId;
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 22);
}
