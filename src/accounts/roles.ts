// Who is making a request to the console or the API, and what their role allows. Console sessions
// (cookie) and API tokens (Bearer) both resolve to a Principal; routes check abilities, never
// role names, so the rules live here only.
import type { AuditContext } from '../audit/context.ts';
import { UserError } from '../db/errors.ts';

export const ROLES = ['admin', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** A role name from a flag or form; anything else is a UserError naming the choices. */
export function parseRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new UserError(`role: must be one of ${ROLES.join(', ')} (got "${role.slice(0, 40)}")`);
  return role as Role;
}

/** What each role may do, in words, for console users and API tokens alike (a token never reaches the console pages). */
export const ROLE_TEXT: Record<Role, string> = {
  admin: 'view and export; in the console also manages users and reverts changes',
  auditor: 'view and export',
  viewer: 'view only',
};

export interface Principal {
  kind: 'user' | 'api_token';
  /** users.id or api_tokens.id, as text. */
  id: string;
  /** Email for users, token name for tokens. */
  name: string;
  role: Role;
}

const abilities = {
  /** admin, auditor, viewer */
  view: (role: Role) => ROLES.includes(role),
  /** admin, auditor: viewers cannot export */
  export: (role: Role) => role === 'admin' || role === 'auditor',
  /** admin only */
  manageUsers: (role: Role) => role === 'admin',
  /** admin only: undo an event or a transaction (and only where a revert database role is configured) */
  revert: (role: Role) => role === 'admin',
} as const;

export type Ability = keyof typeof abilities;

export function can(principal: Principal | undefined, ability: Ability): boolean {
  return principal !== undefined && abilities[ability](principal.role);
}

/** The audit context for what a principal does through pgtrail (exports, sign-ins, user changes). */
export function principalContext(principal: Principal, request: { ip?: string; userAgent?: string; requestId?: string }): AuditContext {
  return {
    actorType: principal.kind === 'user' ? 'user' : 'api_token',
    actorId: principal.id,
    actorName: principal.name,
    ip: request.ip,
    userAgent: request.userAgent?.slice(0, 1024),
    requestId: request.requestId,
  };
}
