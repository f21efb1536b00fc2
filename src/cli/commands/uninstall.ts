import { UserError } from '../../db/errors.ts';
import { nothingToRemove, refusal, uninstall, UninstallError, type UninstallPlan, type UninstallReport } from '../../install/uninstall.ts';
import type { Command } from '../command.ts';
import { requireDatabaseUrl, withDatabase } from '../database.ts';
import { noArguments } from '../options.ts';

export const uninstallCommand: Command = {
  name: 'uninstall',
  summary: 'remove pgtrail from DATABASE_URL: without --confirm, only print what it would do',
  usage: 'uninstall [--confirm DATABASE_NAME] [--json]',
  details: [
    'Without --confirm it changes nothing: it prints the audited tables it would disable, the events,',
    'seals, console users and API tokens it would delete (exact counts), the pg_cron job it would remove',
    '(also one kept in cron.database_name\'s database), the event triggers, schemas and roles it would',
    'drop, and the roles it keeps because another database of the cluster uses them; then exits 2.',
    'With --confirm and the name of the database (as current_database() says it) it does that: disables',
    'every audited table, removes the pg_cron job, reverts pgtrail\'s migrations (DROP SCHEMA console and',
    'audit) and drops the empty bookkeeping table public.pgtrail_migrations. The application\'s tables and',
    'rows stay as they are. Export what you must keep first: the trail is deleted. It refuses, changing',
    'nothing, when this role lacks a privilege it needs (membership in pgtrail_owner, CREATEROLE, on',
    'PostgreSQL 16+ ADMIN OPTION on the pgtrail roles, ownership of the event triggers: a superuser',
    'has all of them), and names what is missing. Nothing left to remove: exit 0.',
  ].join('\n'),
  options: {
    confirm: { type: 'string', value: 'database', description: 'do it: the name of the database DATABASE_URL names' },
    json: { type: 'boolean', description: 'print the plan (and what was done) as JSON' },
  },
  async run({ config, positionals, values, stdout }) {
    noArguments(positionals, 'uninstall');
    if (values.confirm !== undefined && (typeof values.confirm !== 'string' || values.confirm === '')) {
      throw new UserError('uninstall: --confirm needs the name of the database');
    }
    const confirm = values.confirm as string | undefined;
    const url = requireDatabaseUrl(config);
    const report = await withDatabase(config, (client) =>
      uninstall(client, { dryRun: confirm === undefined, confirm, url })).catch((error) => {
      // A script asking for JSON gets the plan and what was done before the refusal or failure too.
      if (values.json && error instanceof UninstallError) stdout(`${JSON.stringify({ ...error.report, error: error.message }, null, 2)}\n`);
      throw error;
    });
    const { plan, done } = report;
    if (values.json) stdout(`${JSON.stringify(report, null, 2)}\n`);
    else stdout(done ? doneText(report) : planText(plan));
    if (nothingToRemove(plan)) return 0;
    if (!done) {
      if (plan.missing.length || plan.blockers.length) throw refusal(plan);
      throw new UserError(`this was a dry run: nothing was changed; run again with --confirm ${plan.database} to do it`, {
        hint: 'it deletes every recorded event and seal: export what you must keep first (pgtrail export)',
      });
    }
    return 0;
  },
};

const plural = (n: number | null, one: string, many = `${one}s`) => (n === null ? `the ${many} (this role may not count them)` : `${n.toLocaleString('en')} ${n === 1 ? one : many}`);

export function planText(p: UninstallPlan): string {
  if (nothingToRemove(p)) return `nothing to remove: pgtrail is not installed in database "${p.database}"\n`;
  const lines = [`pgtrail uninstall would, in database "${p.database}" as role ${p.role}:`];
  if (p.tables === null) lines.push('  disable auditing on every audited table (this role may not read which)');
  else if (p.tables.length) lines.push(`  disable auditing on ${plural(p.tables.length, 'table')}: ${p.tables.join(', ')}`);
  if (p.cronJob) lines.push(`  remove the pg_cron job ${p.cronJob.jobId} (${p.cronJob.schedule}, role ${p.cronJob.username}) kept in database "${p.cronJob.cronDatabase}"`);
  if (p.installed) {
    lines.push(`  delete ${plural(p.events, 'event')} and ${plural(p.seals, 'seal')} (schema audit), ${plural(p.consoleUsers, 'console user')} and ${plural(p.apiTokens, 'API token')} (schema console)`);
    lines.push(`  revert ${plural(p.migrations.length, 'migration')} (${p.migrations.at(0) ?? ''} … ${p.migrations.at(-1) ?? ''}), dropping the schema${p.schemas.length === 1 ? '' : 's'} ${p.schemas.join(' and ')}`);
  }
  if (p.eventTriggers.length) lines.push(`  drop the event triggers ${p.eventTriggers.join(', ')}`);
  if (p.rolesDropped.length) lines.push(`  drop the role${p.rolesDropped.length === 1 ? '' : 's'} ${p.rolesDropped.join(', ')}`);
  for (const k of p.rolesKept) lines.push(`  keep the role ${k.role}: ${k.reason}`);
  if (p.bookkeeping) lines.push('  drop the bookkeeping table public.pgtrail_migrations');
  if (p.cronNote) lines.push(`note: ${p.cronNote}`);
  if (!p.blockers.length) lines.push('The application\'s tables and rows are not touched.');
  for (const b of p.blockers) lines.push(`cannot: ${b}`);
  for (const m of p.missing) lines.push(`cannot: this role lacks ${m}`);
  return `${lines.join('\n')}\n`;
}

function doneText({ plan: p, done }: UninstallReport): string {
  const d = done!;
  const lines = [`pgtrail uninstalled from database "${p.database}":`];
  if (d.disabled.length) lines.push(`  disabled auditing on ${d.disabled.join(', ')}`);
  if (d.unscheduled !== null) lines.push(`  removed the pg_cron job ${d.unscheduled} in database "${p.cronJob?.cronDatabase}"`);
  if (d.reverted.length) {
    lines.push(`  reverted ${plural(d.reverted.length, 'migration')}: dropped the schema${p.schemas.length === 1 ? '' : 's'} ${p.schemas.join(' and ')}` +
      ` with ${plural(p.events, 'event')}, ${plural(p.seals, 'seal')}, ${plural(p.consoleUsers, 'console user')} and ${plural(p.apiTokens, 'API token')}`);
  }
  if (d.reverted.length && p.eventTriggers.length) lines.push(`  dropped the event triggers ${p.eventTriggers.join(', ')}`);
  if (d.rolesDropped.length) lines.push(`  dropped the role${d.rolesDropped.length === 1 ? '' : 's'} ${d.rolesDropped.join(', ')}`);
  for (const role of d.rolesKept) {
    const why = p.rolesKept.find((k) => k.role === role)?.reason ?? 'still in use';
    lines.push(`  kept the role ${role}: ${why}`);
  }
  if (d.bookkeepingDropped) lines.push('  dropped the bookkeeping table public.pgtrail_migrations');
  if (p.cronNote) lines.push(`note: ${p.cronNote}`);
  lines.push('The application\'s tables and rows were not touched; `npm uninstall pgtrail` removes the package.');
  return `${lines.join('\n')}\n`;
}
