// Removes pgtrail from a database, as the DBA asked for it: disable every audited table (the
// disable path, as `pgtrail disable`), remove the pg_cron maintenance job, revert pgtrail's
// migrations (dropping the console and audit schemas with every event and seal, and the roles no
// other database uses), then drop the empty bookkeeping table. The application's tables and rows
// are not touched. A dry run only reads; doing it needs the database's name as confirmation,
// because it deletes the whole audit trail.
import type pg from 'pg';
import { disableAudit } from '../audit/enable.ts';
import { UserError } from '../db/errors.ts';
import { displayName, quoteIdent } from '../db/sql.ts';
import { unscheduleMaintenance } from '../maintenance/schedule.ts';
import { migrate, MIGRATIONS_TABLE } from './migrate.ts';
import { nothingToRemove, planUninstall, type UninstallPlan } from './uninstall-plan.ts';

export { nothingToRemove, type UninstallPlan } from './uninstall-plan.ts';

export interface UninstallOptions {
  /** Only read and return the plan. */
  dryRun?: boolean;
  /** Required unless dryRun: the name of the database (current_database()), typed by whoever means it. */
  confirm?: string;
  /** The connection string of `client`: lets uninstall see and remove a pg_cron job kept in cron.database_name's database. */
  url?: string;
  /** Hears each step as it is done. */
  log?: (line: string) => void;
}

export interface UninstallDone {
  disabled: string[];
  /** The pg_cron job removed, if there was one. */
  unscheduled: number | null;
  reverted: string[];
  rolesDropped: string[];
  /** Roles that still exist afterwards (another database uses them). */
  rolesKept: string[];
  bookkeepingDropped: boolean;
}

export interface UninstallReport {
  plan: UninstallPlan;
  /** What was done; null for a dry run (or when there was nothing to remove). */
  done: UninstallDone | null;
}

/** A refusal or a failed step, with the plan and what was done before it (for `--json`). */
export class UninstallError extends UserError {
  constructor(readonly report: UninstallReport, error: UserError) {
    super(error.message, { hint: error.hint, cause: error.cause ?? error });
  }
}

export async function uninstall(client: pg.ClientBase, options: UninstallOptions = {}): Promise<UninstallReport> {
  const plan = await planUninstall(client, options.url);
  const done: UninstallDone = { disabled: [], unscheduled: null, reverted: [], rolesDropped: [], rolesKept: [], bookkeepingDropped: false };
  try {
    return await carryOut(client, plan, done, options);
  } catch (error) {
    if (error instanceof UserError) throw new UninstallError({ plan, done: options.dryRun ? null : done }, error);
    throw error;
  }
}

async function carryOut(client: pg.ClientBase, plan: UninstallPlan, done: UninstallDone, options: UninstallOptions): Promise<UninstallReport> {
  if (options.dryRun || nothingToRemove(plan)) return { plan, done: null };
  if (options.confirm !== plan.database) {
    throw new UserError(options.confirm === undefined
      ? `uninstall deletes every recorded event of database "${plan.database}": confirm with its name`
      : `--confirm "${options.confirm.slice(0, 100)}" is not this database: DATABASE_URL names "${plan.database}"`, {
      hint: `pgtrail uninstall --confirm ${plan.database}`,
    });
  }
  if (plan.missing.length || plan.blockers.length) throw refusal(plan);

  const log = options.log ?? (() => {});
  const step = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      throw new UserError(`uninstall stopped while it tried to ${what}: ${(error as Error).message}`, {
        hint: `${sofar(done)}; \`pgtrail uninstall\` shows what is left`, cause: error,
      });
    }
  };
  // Read again rather than parsed back from the plan's display names.
  const { rows: audited } = plan.installed ? await client.query('SELECT schema_name, table_name FROM audit.audited_tables ORDER BY 1, 2') : { rows: [] };
  for (const { schema_name: schema, table_name: table } of audited) {
    const name = displayName({ schema, table });
    await step(`disable auditing on ${name}`, async () => {
      await disableAudit(client, { schema, table });
      done.disabled.push(name);
      log(`disabled auditing on ${name}`);
    });
  }
  const job = plan.cronJob;
  if (job) {
    await step(`remove the pg_cron job ${job.jobId}`, async () => {
      // Without a URL only a job in this database is within reach; migration 0002's down would
      // remove that one too, but doing it here names it in the report.
      const removed = options.url
        ? await unscheduleMaintenance(options.url)
        : (await client.query('SELECT cron.unschedule($1::bigint) AS ok', [job.jobId])).rows[0].ok === true;
      if (removed) done.unscheduled = job.jobId;
      log(`removed the pg_cron job ${job.jobId} in database "${job.cronDatabase}"`);
    });
  }
  if (plan.installed) {
    await step('revert pgtrail\'s migrations', async () => {
      done.reverted = await migrate(client, { direction: 'down' });
      log(`reverted ${done.reverted.length} migration(s): schemas ${plan.schemas.join(' and ')} dropped`);
    });
    const before = [...plan.rolesDropped, ...plan.rolesKept.map((k) => k.role)];
    const { rows } = await client.query('SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])', [before]);
    const left = new Set(rows.map((r) => r.rolname));
    done.rolesKept = before.filter((r) => left.has(r));
    done.rolesDropped = before.filter((r) => !left.has(r));
  }
  if (plan.bookkeeping) {
    await step(`drop public.${MIGRATIONS_TABLE}`, async () => {
      // node-pg-migrate leaves its table behind, empty; it is pgtrail's, so it goes too.
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM public.${quoteIdent(MIGRATIONS_TABLE)}`);
      if (rows[0].n > 0) throw new Error(`it still lists ${rows[0].n} migration(s)`);
      await client.query(`DROP TABLE public.${quoteIdent(MIGRATIONS_TABLE)}`);
      done.bookkeepingDropped = true;
      log(`dropped public.${MIGRATIONS_TABLE}`);
    });
  }
  return { plan, done };
}

/** The refusal when the connected role lacks a privilege: every one that is missing, named. */
export function refusal(plan: UninstallPlan): UserError {
  if (plan.blockers.length) {
    return new UserError(`cannot uninstall pgtrail yet: ${plan.blockers.join('; and ')}`, { hint: 'nothing was changed; `pgtrail uninstall` lists what is in the way' });
  }
  return new UserError(`cannot uninstall pgtrail as role ${plan.role}: it lacks ${plan.missing.join('; and ')}`, {
    hint: 'run it as a superuser, or as the login that installed pgtrail (a member of pgtrail_owner with CREATEROLE); nothing was changed',
  });
}

function sofar(done: UninstallDone): string {
  const parts: string[] = [];
  if (done.disabled.length) parts.push(`auditing was disabled on ${done.disabled.join(', ')}`);
  if (done.unscheduled !== null) parts.push(`pg_cron job ${done.unscheduled} was removed`);
  if (done.reverted.length) parts.push(`the migrations were reverted`);
  return parts.length ? `done before it stopped: ${parts.join(', ')}` : 'nothing was changed';
}
