import { migrate } from '../../migrate.ts';
import type { Command } from '../command.ts';
import { withDatabase } from '../database.ts';
import { noArguments } from '../options.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'install or upgrade the audit schema in DATABASE_URL',
  usage: 'migrate',
  details: [
    "Applies pgtrail's own migrations (bookkeeping in public.pgtrail_migrations, apart from the",
    "application's). Safe to run again: only missing migrations are applied. The first run creates",
    'the roles pgtrail_owner and pgtrail_reader, so it needs a role with CREATEROLE (or a superuser).',
  ].join('\n'),
  options: {},
  async run({ config, positionals, stdout }) {
    noArguments(positionals, 'migrate');
    const applied = await withDatabase(config, (client) => migrate(client));
    stdout(applied.length === 0 ? 'audit schema is up to date; nothing to apply\n' : applied.map((m) => `applied ${m}\n`).join(''));
  },
};
