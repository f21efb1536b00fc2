import { UserError } from '../../db/errors.ts';
import { requireInstalled } from '../../audit/installed.ts';
import { createToken, listTokens, parseRole, revokeToken, type TokenInfo } from '../../accounts/tokens.ts';
import type { Command } from '../command.ts';
import { withDatabase } from '../database.ts';

export const tokenCommand: Command = {
  name: 'token',
  summary: 'API tokens: create (shown once), revoke, list',
  usage: 'token create --name <name> --role admin|auditor|viewer | token revoke <name|id> | token list [--json]',
  details: [
    'Tokens authenticate the JSON API and its exports (Authorization: Bearer pgt_…) and act with their',
    'role: viewer lists and reads events, auditor and admin also export. `create` prints the token on',
    'stdout and nothing else (TOKEN=$(pgtrail token create …)); only its SHA-256 is stored, so it cannot',
    'be shown again. Revoked tokens stop working at once and stay listed; events keep naming them.',
    'Creating and revoking are recorded as audit events (api_token.create, api_token.revoke).',
  ].join('\n'),
  options: {
    name: { type: 'string', value: 'name', description: 'create: the token\'s name (a-z, 0-9, . _ -), e.g. siem-pull' },
    role: { type: 'string', value: 'role', description: 'create: admin, auditor (view + export) or viewer (view only)' },
    json: { type: 'boolean', description: 'list: print the tokens as JSON' },
  },
  async run({ config, positionals, values, stdout, stderr }) {
    const [action, ...rest] = positionals;
    const only = (allowed: string[]) => {
      const extra = Object.keys(values).filter((k) => values[k] !== undefined && !allowed.includes(k));
      if (extra.length) throw new UserError(`token ${action}: --${extra[0]} does not apply here`, { hint: 'pgtrail token --help' });
    };
    switch (action) {
      case 'create': {
        only(['name', 'role']);
        if (rest.length) throw new UserError(`token create takes no arguments, got "${rest.join(' ')}"`, { hint: 'pgtrail token create --name siem-pull --role auditor' });
        if (typeof values.name !== 'string') throw new UserError('token create: --name is required', { hint: 'pgtrail token create --name siem-pull --role auditor' });
        if (typeof values.role !== 'string') throw new UserError('token create: --role is required (admin, auditor or viewer)');
        const role = parseRole(values.role);
        const created = await withDatabase(config, async (client) => {
          await requireInstalled(client);
          return createToken(client, values.name as string, role);
        });
        stderr(`created API token "${created.name}" (id ${created.id}, role ${created.role}); store it now, it is not shown again\n`);
        stdout(`${created.token}\n`);
        return;
      }
      case 'revoke': {
        only([]);
        if (rest.length !== 1) throw new UserError('token revoke: which token? give its name or id', { hint: 'pgtrail token revoke siem-pull' });
        const revoked = await withDatabase(config, async (client) => {
          await requireInstalled(client);
          return revokeToken(client, rest[0]);
        });
        stdout(`revoked API token "${revoked.name}" (id ${revoked.id})\n`);
        return;
      }
      case 'list': {
        only(['json']);
        if (rest.length) throw new UserError(`token list takes no arguments, got "${rest.join(' ')}"`);
        const tokens = await withDatabase(config, async (client) => {
          await requireInstalled(client);
          return listTokens(client);
        });
        stdout(values.json ? `${JSON.stringify(tokens, null, 2)}\n` : renderTokens(tokens));
        return;
      }
      default:
        throw new UserError(action ? `token: unknown action "${action}"; use create, revoke or list` : 'token: create, revoke or list?', { hint: 'pgtrail token --help' });
    }
  },
};

function renderTokens(tokens: TokenInfo[]): string {
  if (tokens.length === 0) return 'no API tokens yet; create one with `pgtrail token create --name <name> --role auditor`\n';
  const when = (d: Date | null) => (d ? d.toISOString().slice(0, 19).replace('T', ' ') + 'Z' : 'never');
  const header = ['NAME', 'ID', 'ROLE', 'STATE', 'CREATED', 'LAST USED'];
  const rows = tokens.map((t) => [t.name, t.id, t.role, t.revoked_at ? `revoked ${when(t.revoked_at)}` : 'live', `${when(t.created_at)} by ${t.created_by}`, when(t.last_used_at)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
