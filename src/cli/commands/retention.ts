import { requireDatabaseUrl, withDatabase } from '../database.ts';
import {
  parsePartitionInterval, parsePremake, parseRetention, readPolicy, setPartitioning, setRetention,
  type PartitionInterval, type RetentionPolicy,
} from '../../maintenance/retention.ts';
import { scheduleState, type ScheduleState } from '../../maintenance/schedule.ts';
import type { Command } from '../command.ts';
import { inTransaction } from '../../db/transaction.ts';
import { day, scheduleText } from '../../maintenance/describe.ts';

export const retentionCommand: Command = {
  name: 'retention',
  summary: 'show or set how long events are kept (180d, 12 months, 1y, forever), partition interval, premake',
  usage: 'retention [<duration>|forever] [--interval day|week|month] [--premake N]',
  details: [
    'Without arguments, shows the policy, the partitions, and how maintenance is scheduled. With a',
    'duration (90d, 180 days, 2w, 12 months, 1y) events older than that are dropped by maintenance, a',
    'whole partition at a time, each drop recorded as an audit.partition_dropped event; forever (the',
    'default) keeps everything. Every change is validated by the database and recorded as an event;',
    'a refused change leaves the settings as they were. See docs/retention.md.',
  ].join('\n'),
  options: {
    interval: { type: 'string', value: 'day|week|month', description: 'width of new partitions; must divide the existing ones (default month)' },
    premake: { type: 'string', value: 'N', description: 'how many partitions to keep ready ahead of now (1-366, default 3)' },
  },
  async run({ config, positionals, values, stdout }) {
    // Everything is parsed before connecting: a typo never reaches the database.
    const retention = positionals.length > 0 ? parseRetention(positionals.join(' ')) : undefined;
    const interval: PartitionInterval | null = typeof values.interval === 'string' ? parsePartitionInterval(values.interval) : null;
    const premake = typeof values.premake === 'string' ? parsePremake(values.premake) : null;
    const url = requireDatabaseUrl(config);
    const changing = retention !== undefined || interval !== null || premake !== null;

    const { before, after } = await withDatabase(config, async (client) => {
      const before = await readPolicy(client);
      if (!changing) return { before, after: before };
      await inTransaction(client, async () => {
        if (interval !== null || premake !== null) await setPartitioning(client, interval, premake);
        if (retention !== undefined) await setRetention(client, retention);
      });
      return { before, after: await readPolicy(client) };
    });
    let schedule: ScheduleState | string;
    try {
      schedule = await scheduleState(url);
    } catch (error) {
      schedule = `unknown (${error instanceof Error ? error.message : String(error)})`;
    }
    if (changing) stdout(changes(before, after));
    stdout(policyText(after, schedule));
  },
};

const forever = (r: string | null) => r ?? 'forever';

function changes(before: RetentionPolicy, after: RetentionPolicy): string {
  const lines: string[] = [];
  if (before.retention !== after.retention) lines.push(`retention set to ${forever(after.retention)} (was ${forever(before.retention)})`);
  if (before.partitionInterval !== after.partitionInterval) lines.push(`partition interval set to ${after.partitionInterval} (was ${before.partitionInterval}); new partitions use it from the next maintenance run`);
  if (before.premake !== after.premake) lines.push(`premake set to ${after.premake} (was ${before.premake})`);
  if (lines.length === 0) lines.push('settings unchanged: already as asked');
  if (after.expiring.length > 0) {
    lines.push(`${after.expiring.length} partition${after.expiring.length > 1 ? 's' : ''} (${after.expiring.map((p) => p.partition).join(', ')}) ` +
      'will be dropped at the next maintenance run; export them first if they must be archived (see docs/retention.md)');
  }
  return lines.join('\n') + '\n\n';
}

function policyText(policy: RetentionPolicy, schedule: ScheduleState | string): string {
  const ranged = policy.partitions.filter((p) => !p.isDefault);
  const partitions = ranged.length === 0
    ? 'none besides the default'
    : `${ranged.length}, from ${day(ranged[0].rangeFrom)} to ${day(ranged[ranged.length - 1].rangeTo)} (UTC)`;
  const rows: Array<[string, string]> = [
    ['retention', policy.retention === null ? 'forever (nothing is dropped)' : `${policy.retention} (older partitions are dropped whole by maintenance)`],
    ['partition interval', `${policy.partitionInterval} (boundaries in UTC)`],
    ['premake', `${policy.premake} partition${policy.premake > 1 ? 's' : ''} ahead`],
    ['partitions', partitions],
    ['default partition', policy.defaultRows === 0 ? 'empty' : `${policy.defaultRows} row${policy.defaultRows > 1 ? 's' : ''} waiting to be moved by the next maintenance run`],
    ['expired now', policy.expiring.length === 0 ? 'none' : policy.expiring.map((p) => p.partition).join(', ')],
    ['schedule', typeof schedule === 'string' ? schedule : scheduleText(schedule)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${(k + ':').padEnd(width + 1)}  ${v}`).join('\n') + '\n';
}
