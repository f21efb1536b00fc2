import { ddlCaptureCounts, ddlCaptureText, ensureDdlCapture } from '../../audit/ddl-capture.ts';
import { sqlState, SqlState, UserError } from '../../db/errors.ts';
import { migrate } from '../../install/migrate.ts';
import { scheduleText } from '../../maintenance/describe.ts';
import { scheduleMaintenance } from '../../maintenance/schedule.ts';
import type { Command } from '../command.ts';
import { requireDatabaseUrl, withDatabase } from '../database.ts';
import { oneLine } from '../errors.ts';
import { noArguments } from '../options.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'install or upgrade the audit schema in DATABASE_URL',
  usage: 'migrate [--schedule]',
  details: [
    "Applies pgtrail's own migrations (bookkeeping in public.pgtrail_migrations, apart from the",
    "application's). Safe to run again: only missing migrations are applied. The first run creates",
    'the roles pgtrail_owner and pgtrail_reader, so it needs a role with CREATEROLE (or a superuser).',
    'DDL on audited tables (ALTER, DROP, DISABLE TRIGGER) is recorded by event triggers, which only a',
    'superuser can create: migrate installs them when it can and says so when it cannot.',
    'With --schedule it then registers the pg_cron maintenance job, as `pgtrail schedule` does.',
  ].join('\n'),
  options: {
    schedule: { type: 'boolean', description: 'also install/refresh the pg_cron maintenance job' },
  },
  async run({ config, positionals, values, stdout, stderr }) {
    noArguments(positionals, 'migrate');
    const { applied, ddl } = await withDatabase(config, async (client) => {
      const before = await ddlCaptureCounts(client);
      const applied = await migrate(client).catch(explainPrivileges);
      return { applied, ddl: await ensureDdlCapture(client, before) };
    });
    stdout(applied.length === 0 ? 'audit schema is up to date; nothing to apply\n' : applied.map((m) => `applied ${m}\n`).join(''));
    const ddlLine = ddlCaptureText(ddl);
    if (ddlLine) (ddl.state === 'installed' ? stdout : stderr)(`${ddlLine}\n`);
    if (values.schedule) {
      const result = await scheduleMaintenance(requireDatabaseUrl(config));
      stdout(`${result.outcome === 'unchanged' ? 'already scheduled:' : 'scheduled'} ${scheduleText(result)}\n`);
    }
  },
};

/** node-pg-migrate rewraps some errors without their SQLSTATE (message text only), so match both. */
function explainPrivileges(error: unknown): never {
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (sqlState(error) === SqlState.insufficientPrivilege || /permission denied|must have CREATEROLE|must be superuser/i.test(message)) {
    throw new UserError(`cannot install the audit schema: ${message}`, {
      hint: 'run `pgtrail migrate` as a superuser, or as the database owner with CREATEROLE; the application role needs no such rights',
      cause: error,
    });
  }
  throw error;
}
