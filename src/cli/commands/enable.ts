import { enableAudit } from '../../audit/enable.ts';
import { requireInstalled } from '../../audit/installed.ts';
import { displayName } from '../../db/sql.ts';
import type { Command } from '../command.ts';
import { withDatabase } from '../database.ts';
import { auditOptionSpecs, auditOptionsFrom, oneTable } from '../options.ts';

const messages = {
  created: 'auditing enabled',
  updated: 'triggers re-rendered; auditing is current again',
  unchanged: 'already audited with these options; unchanged',
};

export const enableCommand: Command = {
  name: 'enable',
  summary: 'start auditing a table (install its capture function and triggers)',
  usage: 'enable <schema.table> [options]',
  details: [
    'Idempotent: running it again with the same options changes nothing, or brings triggers that',
    'are outdated after a schema change up to date. Without any option flags on an audited table,',
    'the options it was enabled with are reused. Different options are refused unless --replace.',
    'For reviewed migrations, prefer `pgtrail generate`, which writes the same SQL into a file.',
  ].join('\n'),
  options: {
    ...auditOptionSpecs,
    replace: { type: 'boolean', description: 'switch an audited table to the options given' },
  },
  async run({ config, positionals, values, stdout }) {
    const table = oneTable(positionals, 'enable');
    let options = auditOptionsFrom(values);
    const result = await withDatabase(config, async (client) => {
      // `enable t` on an audited table re-renders it as it was (the fix `status` suggests);
      // `enable t --replace` without flags means: back to the defaults.
      if (Object.keys(options).length === 0 && values.replace !== true) {
        await requireInstalled(client);
        const stored = await client.query('SELECT options FROM audit.audited_tables WHERE schema_name = $1 AND table_name = $2', [table.schema, table.table]);
        if (stored.rows[0]) options = stored.rows[0].options;
      }
      return enableAudit(client, table, options, values.replace === true);
    });
    stdout(`${displayName(table)}: ${messages[result.outcome]} (template hash ${result.hash.slice(0, 12)})\n`);
  },
};
