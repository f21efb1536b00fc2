// Scheduling audit.maintain() with pg_cron. pg_cron keeps its jobs in ONE database per server
// (cron.database_name, usually `postgres`), which is often not the audited one: the job is then
// registered there with cron.schedule_in_database (pg_cron >= 1.4; Debian 12 ships 1.4.2) so that
// it runs in the audited database. There is one job per audited database, named pgtrail-maintain;
// scheduling again updates it in place (pg_cron keys jobs by name and role), never adds a second.
// pg_cron 1.4 updates schedule and command of an existing named job but not its database, so a
// job of that name that serves another database is reported, not silently repointed.
import pg from 'pg';
import { connectClient } from '../db/connect.ts';
import { UserError } from '../db/errors.ts';
import type { Queryable } from '../db/queryable.ts';
import { requireInstalled } from '../audit/installed.ts';

export const JOB_NAME = 'pgtrail-maintain';
export const JOB_COMMAND = 'SELECT audit.maintain()';
/**
 * Hourly, at minute 17 (off the top of the hour, when other jobs crowd). A run with nothing to do
 * takes no table lock and costs a few catalog reads; hourly means a run that failed (a lock it
 * could not get within lock_timeout) is retried within the hour, far inside the premade margin.
 */
export const DEFAULT_SCHEDULE = '17 * * * *';

export interface CronJob {
  jobId: number;
  schedule: string;
  command: string;
  database: string;
  username: string;
  active: boolean;
}

export interface ScheduleState {
  /** Where pg_cron keeps its jobs; null when pg_cron is not loaded on this server. */
  cronDatabase: string | null;
  /** pg_cron's extension version in cronDatabase; null when the extension is not created there. */
  version: string | null;
  /** The audited database (where the job must run). */
  database: string;
  /** The job that maintains this database, if any. */
  job: CronJob | null;
}

export class PgCronMissingError extends UserError {}

const NOT_LOADED =
  'pg_cron is not loaded on this server (shared_preload_libraries does not include it); ' +
  'maintenance falls back to the console\'s timer, or run `pgtrail maintain` from any scheduler — see docs/retention.md';

/** Reads where pg_cron lives and the job for this database; never changes anything. */
export async function scheduleState(url: string): Promise<ScheduleState> {
  return withCron(url, async (_audited, cron, state) => {
    if (cron && state.version) state.job = await findJob(cron, state.database);
    return state;
  });
}

export interface ScheduleResult extends ScheduleState {
  job: CronJob;
  outcome: 'created' | 'updated' | 'unchanged';
}

/** Registers (or refreshes) the pgtrail-maintain job for the database in `url`. */
export async function scheduleMaintenance(url: string, schedule = DEFAULT_SCHEDULE): Promise<ScheduleResult> {
  return withCron(url, async (audited, cron, state) => {
    await requireInstalled(audited);
    if (!cron || !state.cronDatabase) throw new PgCronMissingError(NOT_LOADED);
    if (!state.version) {
      throw new PgCronMissingError(
        `pg_cron is loaded but not created in database "${state.cronDatabase}" (cron.database_name); ` +
          `run CREATE EXTENSION pg_cron; there as a superuser, then \`pgtrail schedule\` again`,
      );
    }
    const before = await findJob(cron, state.database);
    const other = (await cron.query('SELECT database, username FROM cron.job WHERE jobname = $1 AND database <> $2 AND username = current_user', [JOB_NAME, state.database])).rows[0];
    if (other) {
      throw new UserError(
        `pg_cron job ${JOB_NAME} of role ${other.username} already maintains database "${other.database}"; ` +
          `pg_cron allows one job of that name per role: remove it there (\`pgtrail schedule --remove\` with that database), or schedule as another role`,
      );
    }
    if (before && before.username !== (await cron.query('SELECT current_user AS u')).rows[0].u) {
      throw new UserError(`database "${state.database}" is already maintained by pg_cron job ${before.jobId} of role ${before.username}; leaving it`);
    }
    if (state.cronDatabase === state.database) {
      await invalidScheduleIsUserError(schedule, () => cron.query('SELECT cron.schedule($1, $2, $3)', [JOB_NAME, schedule, JOB_COMMAND]));
    } else {
      const { rows } = await cron.query(`SELECT to_regprocedure('cron.schedule_in_database(text,text,text,text,text,boolean)') IS NOT NULL AS ok`);
      if (!rows[0].ok) {
        throw new UserError(
          `pg_cron ${state.version} cannot run a job in another database (cron.schedule_in_database needs 1.4 or later); ` +
            `upgrade pg_cron, or set cron.database_name = '${state.database}'`,
        );
      }
      await invalidScheduleIsUserError(schedule, () =>
        cron.query('SELECT cron.schedule_in_database($1, $2, $3, $4)', [JOB_NAME, schedule, JOB_COMMAND, state.database]));
    }
    const job = await findJob(cron, state.database);
    if (!job) throw new Error(`pg_cron accepted ${JOB_NAME} but the job is not in cron.job`);
    const outcome = !before ? 'created' : before.schedule === job.schedule && before.command === job.command && before.active ? 'unchanged' : 'updated';
    return { ...state, job, outcome };
  });
}

/** Removes the job for this database; false when there was none (or pg_cron is absent). */
export async function unscheduleMaintenance(url: string): Promise<boolean> {
  return withCron(url, async (_audited, cron, state) => {
    if (!cron || !state.version) return false;
    const job = await findJob(cron, state.database);
    if (!job) return false;
    await cron.query('SELECT cron.unschedule($1::bigint)', [job.jobId]);
    return true;
  });
}

async function invalidScheduleIsUserError(schedule: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (/invalid schedule/i.test((error as Error).message)) {
      throw new UserError(`pg_cron refused the schedule "${schedule}"; use 5 cron fields, e.g. '${DEFAULT_SCHEDULE}'`, { cause: error });
    }
    throw error;
  }
}

async function findJob(cron: Queryable, database: string): Promise<CronJob | null> {
  const { rows } = await cron.query(
    'SELECT jobid, schedule, command, database, username, active FROM cron.job WHERE jobname = $1 AND database = $2 ORDER BY jobid LIMIT 1',
    [JOB_NAME, database],
  );
  const r = rows[0];
  return r ? { jobId: Number(r.jobid), schedule: r.schedule, command: r.command, database: r.database, username: r.username, active: r.active } : null;
}

/**
 * Opens the audited database, finds pg_cron's database and opens it too (the same connection when
 * they are one). `cron` is null when pg_cron is not loaded; `state.version` null when the extension
 * is not created in its database.
 */
async function withCron<T>(url: string, work: (audited: pg.Client, cron: pg.Client | null, state: ScheduleState) => Promise<T>): Promise<T> {
  const audited = await connectClient(url);
  audited.on('error', () => {});
  let cron: pg.Client | null = null;
  try {
    // pg_settings rather than current_setting(): pg_cron makes the setting superuser-only and
    // current_setting raises for other roles; the extension itself lives only in that database.
    const { rows } = await audited.query(`SELECT current_database() AS db,
      coalesce((SELECT nullif(setting, '') FROM pg_settings WHERE name = 'cron.database_name'),
               CASE WHEN EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_cron') THEN current_database() END) AS cron_db`);
    const state: ScheduleState = { cronDatabase: rows[0].cron_db || null, version: null, database: rows[0].db, job: null };
    if (state.cronDatabase) {
      if (state.cronDatabase === state.database) {
        cron = audited;
      } else {
        const cronUrl = new URL(url);
        cronUrl.pathname = `/${encodeURIComponent(state.cronDatabase)}`;
        cron = await connectClient(cronUrl.toString());
        cron.on('error', () => {});
      }
      state.version = (await cron.query(`SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'`)).rows[0]?.extversion ?? null;
    }
    return await work(audited, cron, state);
  } finally {
    if (cron && cron !== audited) await cron.end().catch(() => {});
    await audited.end().catch(() => {});
  }
}
