import { disableAudit } from '../../audit/enable.ts';
import { displayName } from '../../db/sql.ts';
import type { Command } from '../command.ts';
import { withDatabase } from '../database.ts';
import { oneTable } from '../options.ts';

export const disableCommand: Command = {
  name: 'disable',
  summary: "stop auditing a table (drop its triggers and capture function); recorded events stay",
  usage: 'disable <schema.table>',
  options: {},
  async run({ config, positionals, stdout }) {
    const table = oneTable(positionals, 'disable');
    await withDatabase(config, (client) => disableAudit(client, table));
    stdout(`${displayName(table)}: auditing disabled; events already recorded are kept\n`);
  },
};
