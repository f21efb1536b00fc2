// API tokens: created and revoked by the DBA (`pgtrail token …`) or an admin in the console,
// presented as `Authorization: Bearer pgt_…`, resolved to a Principal of kind 'api_token'. Only
// sha256(token) is stored (see sql/console/api_tokens.sql for why a slow hash is not needed).
// Creation and revocation are themselves audit events (api_token.create / api_token.revoke) in the
// same transaction.
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { UserError } from '../db/errors.ts';
import { type Principal, type Role } from './roles.ts';
import { inTransaction } from '../db/transaction.ts';
import { isBigintId } from '../db/ids.ts';

const TOKEN_PREFIX = 'pgt_';
/** pgt_ + 32 random bytes in base64url (43 characters). */
const TOKEN_SHAPE = /^pgt_[A-Za-z0-9_-]{43}$/;
const NAME_SHAPE = /^[a-z0-9][a-z0-9._-]{0,62}$/;

type Db = pg.ClientBase | pg.Pool;

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  created_at: Date;
  created_by: string;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function parseTokenName(name: string): string {
  if (!NAME_SHAPE.test(name)) {
    throw new UserError(`token name "${name.slice(0, 70)}" must be 1-63 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit`);
  }
  return name;
}

export { parseRole } from './roles.ts';

/** Creates a token; the returned `token` is the only time the secret exists outside its holder. */
export async function createToken(client: pg.ClientBase, name: string, role: Role): Promise<TokenInfo & { token: string }> {
  return inTransaction(client, () => insertToken(client, name, role));
}

/**
 * createToken inside the caller's transaction (the console's, which carries the admin as the
 * audit actor); `createdBy` names the creator (default: the database role).
 */
export async function insertToken(client: pg.ClientBase, name: string, role: Role, createdBy?: string): Promise<TokenInfo & { token: string }> {
  parseTokenName(name);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const taken = await client.query('SELECT 1 FROM console.api_tokens WHERE name = $1 AND revoked_at IS NULL', [name]);
  if (taken.rowCount) throw new UserError(`a live token named "${name}" exists; revoke it first or choose another name`);
  const { rows } = await client.query(
    `INSERT INTO console.api_tokens (name, role, token_hash, created_by) VALUES ($1, $2, $3, coalesce($4, session_user))
     RETURNING id::text, name, role, created_at, created_by, last_used_at, revoked_at`,
    [name, role, hashToken(token), createdBy ?? null]);
  await client.query(`SELECT audit.log_event('api_token.create', 'api_token', $1, jsonb_build_object('name', $2::text, 'role', $3::text))`, [rows[0].id, name, role]);
  return { ...rows[0], token };
}

/** Revokes the live token with that name, or the token with that id. */
export async function revokeToken(client: pg.ClientBase, nameOrId: string): Promise<TokenInfo> {
  return inTransaction(client, () => markRevoked(client, nameOrId));
}

/** revokeToken inside the caller's transaction. */
export async function markRevoked(client: pg.ClientBase, nameOrId: string): Promise<TokenInfo> {
  const byId = isBigintId(nameOrId);
  const { rows } = await client.query(
    `UPDATE console.api_tokens SET revoked_at = now()
      WHERE revoked_at IS NULL AND ${byId ? 'id = $1::bigint' : 'name = $1'}
      RETURNING id::text, name, role, created_at, created_by, last_used_at, revoked_at`,
    [nameOrId]);
  if (rows.length === 0) throw new UserError(`no live token ${byId ? 'with id' : 'named'} "${nameOrId.slice(0, 70)}"; see \`pgtrail token list\``);
  await client.query(`SELECT audit.log_event('api_token.revoke', 'api_token', $1, jsonb_build_object('name', $2::text))`, [rows[0].id, rows[0].name]);
  return rows[0];
}

export async function listTokens(db: Db): Promise<TokenInfo[]> {
  const { rows } = await db.query(
    'SELECT id::text, name, role, created_at, created_by, last_used_at, revoked_at FROM console.api_tokens ORDER BY revoked_at IS NOT NULL, name, id');
  return rows;
}

/**
 * The principal a presented token stands for, or null (unknown, malformed or revoked). One
 * statement both checks the token and records its use, so last_used_at can never lag a request.
 */
export async function authenticateToken(db: Db, token: string): Promise<Principal | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const { rows } = await db.query(
    `UPDATE console.api_tokens SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id::text, name, role`,
    [hashToken(token)]);
  if (rows.length === 0) return null;
  return { kind: 'api_token', id: rows[0].id, name: rows[0].name, role: rows[0].role };
}
