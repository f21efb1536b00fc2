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

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** What a partition holds, in words: "November 2026", "the week of 2026-11-23", "2026-11-24". */
export function partitionLabel(from: Date, to: Date): string {
  const days = (to.getTime() - from.getTime()) / 86_400_000;
  const monthAfter = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
  if (from.getUTCDate() === 1 && to.getTime() === monthAfter.getTime()) return `${MONTHS[from.getUTCMonth()]} ${from.getUTCFullYear()}`;
  if (days === 1) return day(from);
  if (days === 7) return `the week of ${day(from)}`;
  return `${day(from)} to ${day(to)}`;
}

function events(n: number): string {
  return `${n.toLocaleString('en-US')} event${n === 1 ? '' : 's'}`;
}

function listed(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * One line for the console's log after a maintenance round, e.g. "created the partition for
 * November 2026 and moved 12 events from the default partition into it". Partition names are
 * left out: a new user knows months, not events_p20261101.
 */
export function stepsSentence(steps: MaintenanceStep[]): string {
  if (steps.length === 0) return 'nothing to do';
  const label = (s: MaintenanceStep) => partitionLabel(s.rangeFrom, s.rangeTo);
  const moved = new Map(steps.filter((s) => s.action === 'moved').map((s) => [s.partition, s.rows ?? 0]));
  const created = steps.filter((s) => s.action === 'created');
  const parts: string[] = [];
  const plain = created.filter((s) => !moved.has(s.partition));
  if (plain.length) parts.push(`created the partition${plain.length === 1 ? '' : 's'} for ${listed(plain.map(label))}`);
  for (const s of created.filter((c) => moved.has(c.partition))) {
    parts.push(`created the partition for ${label(s)} and moved ${events(moved.get(s.partition)!)} from the default partition into it`);
  }
  const createdNames = new Set(created.map((s) => s.partition));
  for (const s of steps.filter((m) => m.action === 'moved' && !createdNames.has(m.partition))) {
    parts.push(`moved ${events(s.rows ?? 0)} from the default partition into the partition for ${label(s)}`);
  }
  for (const s of steps.filter((d) => d.action === 'dropped')) {
    parts.push(`dropped the partition for ${label(s)}${s.rows === null ? '' : ` with ${events(s.rows)}`} (past the retention period)`);
  }
  return parts.join('; ');
}
