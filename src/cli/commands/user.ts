import { addUser, checkEmail, checkRole, findUserForSignIn, listUsers, removeUser, resetPassword, setPassword } from '../../accounts/users.ts';
import { UserError } from '../../db/errors.ts';
import { ROLE_TEXT, ROLES } from '../../accounts/roles.ts';
import type { Command } from '../command.ts';
import { withDatabase } from '../database.ts';
import { readPassword } from '../password-prompt.ts';
import { inTransaction } from '../../db/transaction.ts';

export const userCommand: Command = {
  name: 'user',
  summary: 'console users: add <email> --role admin|auditor|viewer, list, remove <email>, set-password <email>, reset-password <email>',
  usage: 'user add <email> --role admin|auditor|viewer | user list [--json] | user remove <email> | user set-password <email> | user reset-password <email>',
  details: [
    `Roles: ${ROLES.map((r) => `${r} (${ROLE_TEXT[r]})`).join(', ')}.`,
    'The password comes from PGTRAIL_PASSWORD or, in a terminal, from a prompt (at least 10',
    'characters); it is stored as an scrypt hash. Adding and removing users and setting a password',
    'are recorded as audit events (user.create / user.delete / user.set_password) attributed to the',
    'database role that ran the command. Removing a user or setting their password ends their sessions.',
    '`reset-password` makes a temporary password and prints it on stdout (and nothing else); the user',
    'must choose their own at the next sign-in. Their sessions end; recorded as auth.password_reset.',
    'A user who lost their second factor signs in with a recovery code, or an admin removes it in the',
    'console (Users → the user → Remove second factor).',
  ].join('\n'),
  options: {
    role: { type: 'string', value: 'ROLE', description: 'admin, auditor or viewer (user add)' },
    json: { type: 'boolean', description: 'user list as JSON' },
  },
  async run({ config, positionals, values, stdout, stderr }) {
    const [sub, email, ...extra] = positionals;
    if (extra.length) throw new UserError(`user ${sub}: unexpected "${extra.join(' ')}"`, { hint: 'pgtrail user --help' });
    if (sub === 'add') {
      if (!email) throw new UserError('user add: which email?', { hint: 'pgtrail user add <email> --role admin' });
      if (typeof values.role !== 'string') throw new UserError('user add: --role is required (admin, auditor or viewer)');
      const role = checkRole(values.role);
      const password = await readPassword(config.PGTRAIL_PASSWORD, `Password for ${email}: `, stderr);
      const user = await withDatabase(config, (client) => inTransaction(client, () => addUser(client, email, role, password)));
      stdout(`added ${user.email} (${user.role})\n`);
      return 0;
    }
    if (sub === 'list') {
      if (email) throw new UserError('user list takes no arguments');
      const users = await withDatabase(config, (client) => listUsers(client));
      if (values.json) stdout(`${JSON.stringify(users, null, 2)}\n`);
      else if (users.length === 0) stdout('no console users; add one with `pgtrail user add <email> --role admin`\n');
      else stdout(users.map((u) => `${u.email.padEnd(32)} ${u.role.padEnd(8)} last sign-in ${u.last_sign_in_at?.toISOString() ?? 'never'}\n`).join(''));
      return 0;
    }
    if (sub === 'remove') {
      if (!email) throw new UserError('user remove: which email?');
      const removed = await withDatabase(config, (client) => inTransaction(client, () => removeUser(client, email)));
      if (!removed) throw new UserError(`user remove: no user ${email}`);
      stdout(`removed ${removed.email}\n`);
      return 0;
    }
    if (sub === 'set-password') {
      if (!email) throw new UserError('user set-password: which email?', { hint: 'pgtrail user set-password <email>' });
      const address = checkEmail(email);
      // Known before the prompt, so nobody types a password for a user that does not exist.
      const unknown = () => new UserError(`user set-password: no user ${address}`, { hint: 'pgtrail user list shows the users' });
      await withDatabase(config, async (client) => {
        if (!(await findUserForSignIn(client, address))) throw unknown();
        const password = await readPassword(config.PGTRAIL_PASSWORD, `New password for ${address}: `, stderr);
        const user = await inTransaction(client, () => setPassword(client, address, password));
        if (!user) throw unknown();
        stdout(`password set for ${user.email}; their console sessions, if any, were ended\n`);
      });
      return 0;
    }
    if (sub === 'reset-password') {
      if (!email) throw new UserError('user reset-password: which email?', { hint: 'pgtrail user reset-password <email>' });
      const address = checkEmail(email);
      const reset = await withDatabase(config, (client) => inTransaction(client, () => resetPassword(client, address)));
      if (!reset) throw new UserError(`user reset-password: no user ${address}`, { hint: 'pgtrail user list shows the users' });
      stderr(`temporary password for ${reset.user.email} (they must choose a new one at the next sign-in; their sessions were ended):\n`);
      stdout(`${reset.password}\n`);
      return 0;
    }
    throw new UserError(sub ? `user: unknown subcommand "${sub}"; use add, list, remove, set-password or reset-password` : 'user: add, list, remove, set-password or reset-password?', { hint: 'pgtrail user --help' });
  },
};
