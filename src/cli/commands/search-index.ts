import { UserError } from '../../db/errors.ts';
import {
  disableSearchIndex, enableSearchIndex, searchIndexStatus, type SearchIndexStatus,
} from '../../maintenance/search-index.ts';
import type { Command } from '../command.ts';
import { withDatabase } from '../database.ts';
import { progressOnStderr } from '../progress.ts';

export const searchIndexCommand: Command = {
  name: 'search-index',
  summary: 'the optional free-text index for the console\'s search: enable, disable, status',
  usage: 'search-index enable|disable|status [--json]',
  details: [
    'Free-text search (q) over actor names and ids, target ids and types and actions scans every event',
    'of the time window unless this trigram index (pg_trgm, GIN) exists. It is off by default because',
    'every audited write then also updates it; README "Free-text search index" has the measured costs.',
    '`enable` creates pg_trgm if needed, then builds the index one partition at a time with CREATE INDEX',
    'CONCURRENTLY, newest first, so audited writes go on meanwhile; interrupted, it resumes where it',
    'stopped. New partitions get the index when they are made. `disable` drops it. Needs the role that',
    'installed pgtrail (it must be allowed to SET ROLE pgtrail_owner) or a superuser.',
  ].join('\n'),
  options: {
    json: { type: 'boolean', description: 'status: print the status as JSON' },
  },
  async run({ config, positionals, values, stdout, stderr }) {
    const [action, ...rest] = positionals;
    if (rest.length) throw new UserError(`search-index ${action}: unexpected argument "${rest[0]}"`, { hint: 'pgtrail search-index enable|disable|status' });
    if (values.json && action !== 'status') throw new UserError('search-index: --json applies to status only');
    switch (action) {
      case 'enable': {
        // Partitions done of all, rows (the planner's estimates) done of all; a later round adds
        // what it finds to the totals. Each partition's log line is printed through the progress
        // reporter, which clears its line first and redraws it after.
        const progress = progressOnStderr(stderr);
        const sofar = { done: 0, total: 0, rows: 0, rowsTotal: 0 };
        const show = () => progress.update({ ...sofar, unit: 'partitions', rowsEstimated: true });
        try {
          const status = await withDatabase(config, (client) =>
            enableSearchIndex(client, (step) => {
              if (step.build) {
                sofar.done += 1;
                sofar.rows += step.rows;
              }
              show();
              const what = step.build ? 'indexed' : 'dropped an interrupted build on';
              progress.log(`${what} ${step.partition} (${(step.ms / 1000).toFixed(1)} s)\n`);
            }, (plan) => {
              sofar.total += plan.filter((s) => s.build).length;
              sofar.rowsTotal += plan.reduce((n, s) => n + s.rows, 0);
              show();
            }));
          progress.end();
          stdout(statusText(status));
        } finally {
          progress.end();
        }
        return;
      }
      case 'disable': {
        const dropped = await withDatabase(config, (client) => disableSearchIndex(client));
        stdout(dropped ? 'search index dropped; searches scan the time window again\n' : 'search index was not enabled; nothing to drop\n');
        return;
      }
      case 'status': {
        const status = await withDatabase(config, (client) => searchIndexStatus(client));
        stdout(values.json ? `${JSON.stringify(status, null, 2)}\n` : statusText(status));
        return;
      }
      case undefined:
        throw new UserError('search-index: say enable, disable or status', { hint: 'pgtrail search-index --help' });
      default:
        throw new UserError(`search-index: unknown action "${action}"; use enable, disable or status`, { hint: 'pgtrail search-index --help' });
    }
  },
};

const STATES = {
  off: 'off (searches scan the time window; `pgtrail search-index enable` builds the index)',
  building: 'building (partitions without it are scanned; `pgtrail search-index enable` resumes)',
  outdated: 'outdated (built before labels were searched, so searches do not use it; `pgtrail search-index enable` rebuilds it)',
  on: 'on (every partition; new partitions get it when they are made)',
} as const;

export function statusText(s: SearchIndexStatus): string {
  const rows: Array<[string, string]> = [
    ['search index', STATES[s.state]],
    ['partitions', `${s.indexed} of ${s.partitions} indexed`],
  ];
  if (s.state !== 'off') {
    const perEvent = s.events > 0 ? `, about ${Math.round(s.bytes / s.events)} bytes per event (${s.events.toLocaleString('en')} events estimated)` : '';
    rows.push(['size', `${mb(s.bytes)}${perEvent}`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${(k + ':').padEnd(width + 1)}  ${v}`).join('\n') + '\n';
}

function mb(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}
