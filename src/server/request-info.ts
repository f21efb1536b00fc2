// Where a request came from, for the audit context of what it does (exports, token use).
// The peer address is the socket's unless the server is told it sits behind a proxy it trusts
// (PGTRAIL_TRUST_PROXY); then the left-most X-Forwarded-For entry that is an IP address.
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { Context } from 'hono';
import type { AppEnv } from './env.ts';

export interface RequestInfo {
  ip?: string;
  userAgent?: string;
  requestId?: string;
}

export function requestInfo(c: Context<AppEnv>, options: { trustProxy?: boolean } = {}): RequestInfo {
  return {
    ip: clientIp(c, options.trustProxy ?? false),
    userAgent: c.req.header('user-agent')?.slice(0, 1024),
    requestId: requestId(c),
  };
}

/** The request's id: set by an earlier middleware, or made here (and kept for the rest of it). */
export function requestId(c: Context<AppEnv>): string {
  let id = c.get('requestId');
  if (!id) {
    id = randomUUID();
    c.set('requestId', id);
  }
  return id;
}

function clientIp(c: Context<AppEnv>, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded && isIP(forwarded)) return forwarded;
  }
  // @hono/node-server puts the Node request into c.env; app.request() in tests has none.
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const address = env?.incoming?.socket?.remoteAddress;
  return address && isIP(address) ? address.replace(/^::ffff:(?=\d+\.)/, '') : undefined;
}
