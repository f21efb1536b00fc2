// Retention and partitioning settings: parsing what a user types, reading the policy, changing it
// through audit.set_retention / audit.set_partitioning (validated and recorded in the database).
import { SqlState, sqlState, UserError } from '../db/errors.ts';
import type { Queryable } from '../db/queryable.ts';
import { requireInstalled } from '../audit/installed.ts';
import { quoteIdent } from '../db/sql.ts';

/** A retention as PostgreSQL interval text (`180 days`, `12 months`, `1 years`), or null = forever. */
export type Retention = string | null;

const UNITS: Record<string, { unit: 'days' | 'months' | 'years'; factor: number; max: number }> = {
  d: { unit: 'days', factor: 1, max: 36_500 },
  w: { unit: 'days', factor: 7, max: 5_200 },
  mo: { unit: 'months', factor: 1, max: 1_200 },
  y: { unit: 'years', factor: 1, max: 100 },
};
const ALIASES: Record<string, keyof typeof UNITS> = {
  d: 'd', day: 'd', days: 'd',
  w: 'w', wk: 'w', week: 'w', weeks: 'w',
  mo: 'mo', mon: 'mo', mons: 'mo', month: 'mo', months: 'mo',
  y: 'y', yr: 'y', yrs: 'y', year: 'y', years: 'y',
};

const EXAMPLES = 'e.g. 90d, 180 days, 12 months, 1y or forever';

/**
 * `180d`, `180 days`, `2w`, `12 months`, `12mo`, `1y`, `forever` → interval text or null.
 * Whole positive numbers only; `m` alone is refused (minutes or months?).
 */
export function parseRetention(input: string): Retention {
  const text = input.trim().toLowerCase().replace(/\s+/g, ' ');
  if (text === 'forever') return null;
  const match = text.match(/^([+-]?\d+)\s*([a-z]+)$/);
  if (!match) throw new UserError(`retention "${input}" is not a duration; use ${EXAMPLES}`);
  const [, digits, word] = match;
  const key = ALIASES[word];
  if (!key) {
    const why = word === 'm' ? ' ("m" could be minutes or months: write 6mo or 6 months)' : '';
    throw new UserError(`retention "${input}": unknown unit "${word}"${why}; use ${EXAMPLES}`);
  }
  const n = Number(digits);
  const { unit, factor, max } = UNITS[key];
  if (n <= 0) throw new UserError(`retention "${input}" must be positive; use ${EXAMPLES}`);
  if (n > max) throw new UserError(`retention "${input}" is longer than 100 years; use forever to keep everything`);
  return `${n * factor} ${unit}`;
}

export type PartitionInterval = '1 day' | '1 week' | '1 month';

export function parsePartitionInterval(input: string): PartitionInterval {
  const word = input.trim().toLowerCase().replace(/^1\s*/, '');
  if (['day', 'daily', 'days'].includes(word)) return '1 day';
  if (['week', 'weekly', 'weeks'].includes(word)) return '1 week';
  if (['month', 'monthly', 'months'].includes(word)) return '1 month';
  throw new UserError(`partition interval "${input}" must be day, week or month`);
}

export function parsePremake(input: string): number {
  const n = /^\d+$/.test(input.trim()) ? Number(input) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 366) throw new UserError(`premake "${input}" must be a whole number from 1 to 366`);
  return n;
}

export interface PartitionInfo {
  partition: string;
  rangeFrom: Date | null;
  rangeTo: Date | null;
  isDefault: boolean;
}

export interface RetentionPolicy {
  /** Interval text in PostgreSQL's output style (`180 days`, `1 year`), null = forever. */
  retention: Retention;
  partitionInterval: string;
  premake: number;
  updatedAt: Date;
  partitions: PartitionInfo[];
  /** Rows waiting in the default partition for the next maintenance run to move them. */
  defaultRows: number;
  /** Partitions the next maintenance run would drop under the current retention. */
  expiring: PartitionInfo[];
}

export async function readPolicy(db: Queryable): Promise<RetentionPolicy> {
  await requireInstalled(db);
  const settings = (await db.query(
    `SELECT retention::text AS retention,
            CASE partition_interval WHEN interval '1 day' THEN '1 day' WHEN interval '1 week' THEN '1 week' ELSE '1 month' END AS partition_interval, premake, updated_at,
            now() - retention AS cutoff
       FROM audit.settings`,
  )).rows[0];
  const partitions: PartitionInfo[] = (await db.query('SELECT * FROM audit.partitions()')).rows.map((r) => ({
    partition: r.partition,
    rangeFrom: r.range_from,
    rangeTo: r.range_to,
    isDefault: r.is_default,
  }));
  const defaultPartition = partitions.find((p) => p.isDefault);
  const defaultRows = defaultPartition
    ? Number((await db.query(`SELECT count(*) AS n FROM audit.${quoteIdent(defaultPartition.partition)}`)).rows[0].n)
    : 0;
  const cutoff: Date | null = settings.cutoff;
  return {
    retention: settings.retention,
    partitionInterval: settings.partition_interval,
    premake: settings.premake,
    updatedAt: settings.updated_at,
    partitions,
    defaultRows,
    expiring: cutoff ? partitions.filter((p) => !p.isDefault && p.rangeTo !== null && p.rangeTo <= cutoff) : [],
  };
}

/** The database refuses a setting with 22023 and a message that says why; that is the user's mistake. */
async function asUserError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (sqlState(error) === SqlState.invalidParameterValue) throw new UserError((error as Error).message, { cause: error });
    throw error;
  }
}

/** Sets the retention (null = forever); the change is validated and recorded as an event. */
export async function setRetention(db: Queryable, retention: Retention): Promise<void> {
  await requireInstalled(db);
  await asUserError(() => db.query('SELECT audit.set_retention($1::interval)', [retention]));
}

/** Sets the partition interval and/or premake; an interval that does not divide the existing partitions is refused. */
export async function setPartitioning(db: Queryable, interval: PartitionInterval | null, premake: number | null): Promise<void> {
  await requireInstalled(db);
  await asUserError(() => db.query('SELECT audit.set_partitioning($1::interval, $2::integer)', [interval, premake]));
}
