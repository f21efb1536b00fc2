// Maintenance reports and schedules in words, for the CLI (and later the console).
import type { MaintenanceStep } from './run.ts';
import { DEFAULT_SCHEDULE, JOB_NAME, type ScheduleState } from './schedule.ts';

/** A partition bound as a UTC date; bounds are always at midnight UTC. */
export function day(at: Date | null): string {
  return at ? at.toISOString().slice(0, 10) : '?';
}

export function stepsText(steps: MaintenanceStep[]): string {
  if (steps.length === 0) return 'nothing to do: partitions are premade, the default partition is empty, nothing has expired\n';
  const verb = { created: 'created', moved: 'moved', dropped: 'dropped' };
  const lines = steps.map((s) => {
    const range = `[${day(s.rangeFrom)}, ${day(s.rangeTo)})`;
    const rows = s.rows === null ? '' : s.action === 'moved' ? `  ${s.rows} row${s.rows === 1 ? '' : 's'} from the default partition` : `  ${s.rows} row${s.rows === 1 ? '' : 's'}`;
    return `${verb[s.action].padEnd(7)}  audit.${s.partition}  ${range}${rows}`;
  });
  const count = (a: MaintenanceStep['action']) => steps.filter((s) => s.action === a).length;
  lines.push(`${count('created')} created, ${count('moved')} received moved rows, ${count('dropped')} dropped`);
  return lines.join('\n') + '\n';
}

export function scheduleText(state: ScheduleState): string {
  if (!state.cronDatabase) return 'pg_cron not loaded on this server: the console runs maintenance on a timer, or run `pgtrail maintain` from any scheduler';
  if (!state.version) return `pg_cron loaded, but the extension is not created in database "${state.cronDatabase}" (CREATE EXTENSION pg_cron there, then \`pgtrail schedule\`)`;
  if (!state.job) return `no pg_cron job yet: \`pgtrail schedule\` registers ${JOB_NAME} (${DEFAULT_SCHEDULE}, UTC)`;
  const where = state.cronDatabase === state.database ? '' : ` (kept in database "${state.cronDatabase}")`;
  return `pg_cron job ${JOB_NAME} #${state.job.jobId}, '${state.job.schedule}' (UTC), ${state.job.active ? 'active' : 'INACTIVE'}, runs as ${state.job.username}${where}`;
}
