import { UserError } from '../../db/errors.ts';
import { scheduleText } from '../../maintenance/describe.ts';
import { DEFAULT_SCHEDULE, JOB_COMMAND, JOB_NAME, scheduleMaintenance, unscheduleMaintenance } from '../../maintenance/schedule.ts';
import type { Command } from '../command.ts';
import { requireDatabaseUrl } from '../database.ts';
import { noArguments } from '../options.ts';

export const scheduleCommand: Command = {
  name: 'schedule',
  summary: `install or refresh the pg_cron job ${JOB_NAME} that runs maintenance (or --remove it)`,
  usage: 'schedule [--cron "<min> <hour> <dom> <month> <dow>"] [--remove]',
  details: [
    `Registers one pg_cron job, ${JOB_NAME}, running ${JOB_COMMAND} in the database of DATABASE_URL`,
    `(default schedule '${DEFAULT_SCHEDULE}': hourly; pg_cron schedules are in UTC). pg_cron keeps its`,
    'jobs in the database named by cron.database_name; when that is another database the job is',
    'registered there with cron.schedule_in_database (pg_cron 1.4 or later). Running it again updates',
    'the same job. Without pg_cron, says so: the console then runs maintenance on a timer.',
  ].join('\n'),
  options: {
    cron: { type: 'string', value: 'expr', description: `cron expression, 5 fields (default '${DEFAULT_SCHEDULE}')` },
    remove: { type: 'boolean', description: 'remove the job instead' },
  },
  async run({ config, positionals, values, stdout }) {
    noArguments(positionals, 'schedule');
    const url = requireDatabaseUrl(config);
    if (values.remove) {
      if (values.cron !== undefined) throw new UserError('schedule: --cron and --remove do not go together');
      const removed = await unscheduleMaintenance(url);
      stdout(removed ? `removed pg_cron job ${JOB_NAME}\n` : `no pg_cron job ${JOB_NAME} for this database; nothing removed\n`);
      return;
    }
    const cron = typeof values.cron === 'string' ? values.cron.trim().replace(/\s+/g, ' ') : DEFAULT_SCHEDULE;
    if (!/^\S+ \S+ \S+ \S+ \S+$/.test(cron)) throw new UserError(`schedule: --cron "${values.cron}" must have 5 fields, e.g. '${DEFAULT_SCHEDULE}'`);
    const result = await scheduleMaintenance(url, cron);
    const verb = { created: 'scheduled', updated: 'updated', unchanged: 'already scheduled; unchanged:' }[result.outcome];
    stdout(`${verb} ${scheduleText(result)}\n  runs: ${result.job.command}  in database "${result.job.database}"\n`);
  },
};
