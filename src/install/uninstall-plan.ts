// What `pgtrail uninstall` would remove from this database, and whether the connected role may:
// read from the catalog only, so a dry run changes nothing. The roles are cluster-wide: one that
// another database still uses (owns or is granted something there) survives the migration's
// DROP ROLE, which gives up on it (0001, 0003), and the plan says so beforehand.
import type pg from 'pg';
import { DDL_EVENT_TRIGGERS } from '../audit/ddl-capture.ts';
import { displayName } from '../db/sql.ts';
import { JOB_NAME, scheduleState } from '../maintenance/schedule.ts';
import { MIGRATIONS_TABLE } from './migrate.ts';

/** The roles pgtrail's migrations create (and their downs drop), in the order they are dropped. */
export const PGTRAIL_ROLES = ['pgtrail_console', 'pgtrail_reader', 'pgtrail_owner'];
/** pgtrail's schemas, in the order the migrations drop them. */
const SCHEMAS = ['console', 'audit'];

export interface CronJobPlan {
  jobId: number;
  schedule: string;
  /** Where pg_cron keeps it (cron.database_name). */
  cronDatabase: string;
  username: string;
}

export interface RoleKept {
  role: string;
  /** Why DROP ROLE will keep it, e.g. `database "crm" uses it`. */
  reason: string;
}

export interface UninstallPlan {
  database: string;
  /** The connected role (current_user). */
  role: string;
  /** Whether the audit schema is here. */
  installed: boolean;
  /** Applied migrations, newest first: the order they are reverted in. */
  migrations: string[];
  /** Audited tables (schema.table), disabled first; null where this role may not read the list. */
  tables: string[] | null;
  /** Rows deleted with the schemas; null where this role may not read the table to count them. */
  events: number | null;
  seals: number | null;
  consoleUsers: number | null;
  apiTokens: number | null;
  /** pgtrail's maintenance job in pg_cron, wherever pg_cron keeps it; null when there is none (or it could not be seen). */
  cronJob: CronJobPlan | null;
  /** Something worth saying about pg_cron (e.g. its database could not be read), else null. */
  cronNote: string | null;
  eventTriggers: string[];
  schemas: string[];
  rolesDropped: string[];
  rolesKept: RoleKept[];
  /** Whether public.pgtrail_migrations exists (dropped last, once empty). */
  bookkeeping: boolean;
  /** Privileges the connected role lacks for this; empty when it can do it. */
  missing: string[];
  /**
   * What must be settled first, whoever runs it: objects of the application that depend on
   * pgtrail's schemas (DROP SCHEMA … CASCADE would drop them with it), or a half-removed install.
   */
  blockers: string[];
}

/** True when there is nothing of pgtrail's left in this database. */
export const nothingToRemove = (p: UninstallPlan) => !p.installed && !p.bookkeeping && !p.cronJob;

/**
 * Reads the plan. `url` (the connection string of `client`) lets it look into pg_cron's own
 * database when that is not this one; without it such a job is not seen (cronNote says so).
 */
export async function planUninstall(client: pg.ClientBase, url?: string): Promise<UninstallPlan> {
  const { rows: [who] } = await client.query(`
    SELECT current_database() AS database, current_user AS role, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
           current_setting('server_version_num')::int AS version, -- pg_settings, not current_setting(): pg_cron makes the setting superuser-only, and
           -- current_setting raises for anyone else (a hidden setting is simply no row here)
           (SELECT nullif(setting, '') FROM pg_settings WHERE name = 'cron.database_name') AS cron_db,
           EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_cron') AS cron_here,
           to_regclass('audit.audited_tables') IS NOT NULL AS installed,
           to_regclass('public.${MIGRATIONS_TABLE}') IS NOT NULL AS bookkeeping
      FROM pg_catalog.pg_roles AS r WHERE r.rolname = current_user`);
  const plan: UninstallPlan = {
    database: who.database, role: who.role, installed: who.installed, migrations: [], tables: [], events: 0, seals: 0,
    consoleUsers: 0, apiTokens: 0, cronJob: null, cronNote: null, eventTriggers: [], schemas: [], rolesDropped: [], rolesKept: [],
    bookkeeping: who.bookkeeping, missing: [], blockers: [],
  };
  const superuser: boolean = who.superuser;
  const can = (ok: boolean, what: string) => { if (!ok && !superuser) plan.missing.push(what); };

  if (plan.bookkeeping) {
    const { rows: [t] } = await client.query(
      `SELECT pg_get_userbyid(relowner) AS owner, pg_has_role(current_user, relowner, 'USAGE') AS owns, has_table_privilege(oid, 'SELECT') AS readable
         FROM pg_class WHERE oid = to_regclass('public.${MIGRATIONS_TABLE}')`);
    can(t.owns, `ownership of public.${MIGRATIONS_TABLE} (owned by ${t.owner}), to drop it`);
    if (t.readable) plan.migrations = (await client.query(`SELECT name FROM public.${MIGRATIONS_TABLE} ORDER BY run_on DESC, id DESC`)).rows.map((r) => r.name);
  }
  if (plan.installed) {
    const { rows: [a] } = await client.query(`SELECT has_schema_privilege('audit', 'USAGE') AND has_table_privilege('audit.audited_tables', 'SELECT') AS readable`);
    plan.tables = a.readable
      ? (await client.query('SELECT schema_name, table_name FROM audit.audited_tables ORDER BY 1, 2')).rows.map((r) => displayName({ schema: r.schema_name, table: r.table_name }))
      : null;
    // Exact counts (a dry run may take a few seconds at 10M events): a DBA signs off on these numbers.
    const count = async (table: 'audit.events' | 'audit.seals' | 'console.users' | 'console.api_tokens') => {
      // Looked up in pg_class, not with to_regclass, which fails on a schema this role may not use.
      const [schema, name] = table.split('.');
      const { rows: [r] } = await client.query(
        `SELECT has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT') AS readable
           FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`, [schema, name]);
      if (!r) return 0;
      return r.readable ? Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n) : null;
    };
    plan.events = await count('audit.events');
    plan.seals = await count('audit.seals');
    plan.consoleUsers = await count('console.users');
    plan.apiTokens = await count('console.api_tokens');
    // The migrations act as pgtrail_owner (SET LOCAL ROLE), which owns both schemas and all in them.
    // … and drop the schemas without it (DROP SCHEMA … CASCADE), which needs the owner's rights inherited.
    const setRole = who.version >= 160000 ? 'SET' : 'MEMBER';
    const { rows: [o] } = await client.query(`SELECT pg_has_role(current_user, 'pgtrail_owner', $1) AND pg_has_role(current_user, 'pgtrail_owner', 'USAGE') AS ok`, [setRole]);
    can(o.ok, `membership in pgtrail_owner with its privileges inherited (GRANT pgtrail_owner TO ${who.role}), which owns the audit and console schemas`);
    if (plan.tables !== null) plan.blockers.push(...(await dependents(client)).map((what) =>
      `${what} depends on pgtrail's schemas, and dropping them would drop it too: drop or change it first`));
  } else if (plan.migrations.length) {
    plan.blockers.push(`public.${MIGRATIONS_TABLE} lists ${plan.migrations.length} migration(s) but the audit schema is gone (removed by hand?): ` +
      `run \`pgtrail migrate\` to restore it, or empty public.${MIGRATIONS_TABLE} yourself`);
  }
  plan.schemas = (await client.query(`SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])`, [SCHEMAS])).rows
    .map((r) => r.nspname).sort((a, b) => SCHEMAS.indexOf(a) - SCHEMAS.indexOf(b));

  const { rows: triggers } = await client.query(
    `SELECT evtname, pg_has_role(current_user, evtowner, 'USAGE') AS owns FROM pg_event_trigger WHERE evtname = ANY($1::text[]) ORDER BY evtname`, [DDL_EVENT_TRIGGERS]);
  plan.eventTriggers = triggers.map((r) => r.evtname);
  can(triggers.every((r) => r.owns), `ownership of the event triggers ${plan.eventTriggers.join(', ')} (a superuser created them): run uninstall as a superuser`);

  if (plan.installed) await planRoles(client, plan, who, can);
  // pg_cron's extension lives only in cron.database_name: seen here, that is this database.
  await planCron(client, plan, who.cron_db ?? (who.cron_here ? who.database : null), url, superuser);
  return plan;
}

/**
 * Objects outside pgtrail's schemas that depend on something inside them (a view over audit.events,
 * a column default or a check calling audit.current_context(), a policy, a function, a column of
 * one of its types): DROP SCHEMA … CASCADE would drop them silently. The capture triggers on audited
 * tables are not among them: uninstall disables those first. Event triggers are pgtrail's own.
 */
async function dependents(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query(`
    WITH ours AS (SELECT oid FROM pg_namespace WHERE nspname = ANY($1::text[])),
         audited AS (SELECT to_regclass(format('%I.%I', schema_name, table_name)) AS rel FROM audit.audited_tables),
         dep AS (
      SELECT d.classid, d.objid, d.objsubid,
             CASE d.classid
               WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = d.objid)
               WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = d.objid)
               WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = d.objid)
               WHEN 'pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE r.oid = d.objid)
               WHEN 'pg_attrdef'::regclass THEN (SELECT c.relnamespace FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid WHERE a.oid = d.objid)
               WHEN 'pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.oid = d.objid)
               WHEN 'pg_policy'::regclass THEN (SELECT c.relnamespace FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE p.oid = d.objid)
               WHEN 'pg_constraint'::regclass THEN (SELECT coalesce(c.relnamespace, con.connamespace) FROM pg_constraint con LEFT JOIN pg_class c ON c.oid = con.conrelid WHERE con.oid = d.objid)
               WHEN 'pg_namespace'::regclass THEN d.objid
             END AS nsp,
             CASE WHEN d.classid = 'pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_trigger WHERE oid = d.objid) END AS trigger_table
        FROM pg_depend AS d
       WHERE d.deptype = 'n'
         AND d.classid <> 'pg_event_trigger'::regclass
         AND CASE d.refclassid
               WHEN 'pg_class'::regclass THEN EXISTS (SELECT FROM pg_class c WHERE c.oid = d.refobjid AND c.relnamespace IN (SELECT oid FROM ours))
               WHEN 'pg_proc'::regclass THEN EXISTS (SELECT FROM pg_proc p WHERE p.oid = d.refobjid AND p.pronamespace IN (SELECT oid FROM ours))
               WHEN 'pg_type'::regclass THEN EXISTS (SELECT FROM pg_type t WHERE t.oid = d.refobjid AND t.typnamespace IN (SELECT oid FROM ours))
               ELSE false END)
    SELECT DISTINCT o.type || ' ' || o.identity AS what  -- schema-qualified whatever the search_path
      FROM (SELECT CASE WHEN classid = 'pg_rewrite'::regclass THEN 'pg_class'::regclass ELSE classid END AS classid,
                   CASE WHEN classid = 'pg_rewrite'::regclass  -- a view's rule: name the view
                        THEN (SELECT ev_class FROM pg_rewrite WHERE oid = dep.objid) ELSE objid END AS objid,
                   CASE WHEN classid = 'pg_rewrite'::regclass THEN 0 ELSE objsubid END AS objsubid,
                   nsp, trigger_table FROM dep) AS named,
           LATERAL pg_identify_object(named.classid, named.objid, named.objsubid) AS o
     WHERE (nsp IS NULL OR nsp NOT IN (SELECT oid FROM ours))
       AND (trigger_table IS NULL OR trigger_table NOT IN (SELECT rel FROM audited WHERE rel IS NOT NULL))
     ORDER BY 1`, [SCHEMAS]);
  return rows.map((r) => r.what);
}

async function planRoles(client: pg.ClientBase, plan: UninstallPlan, who: { version: number; createrole: boolean; role: string },
  can: (ok: boolean, what: string) => void): Promise<void> {
  // Dependencies DROP ROLE would refuse on: in other databases, on shared objects (a database, a
  // tablespace), or on objects in this one outside pgtrail's schemas (an application's GRANT).
  const { rows } = await client.query(`
    WITH ours AS (SELECT oid FROM pg_namespace WHERE nspname = ANY($2::text[])),
         here AS (SELECT oid FROM pg_database WHERE datname = current_database())
    SELECT r.rolname,
           pg_has_role(current_user, r.oid, 'MEMBER WITH ADMIN OPTION') AS admin,
           (SELECT array_agg(DISTINCT d.datname::text ORDER BY d.datname::text) FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
             WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = r.oid AND s.dbid <> (SELECT oid FROM here)) AS elsewhere,
           EXISTS (SELECT FROM pg_shdepend s WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = r.oid AND s.dbid = 0) AS shared,
           EXISTS (SELECT FROM pg_shdepend s
                    WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = r.oid AND s.dbid = (SELECT oid FROM here)
                      AND NOT CASE s.classid
                        WHEN 'pg_class'::regclass THEN EXISTS (SELECT FROM pg_class c WHERE c.oid = s.objid AND c.relnamespace IN (SELECT oid FROM ours))
                        WHEN 'pg_proc'::regclass THEN EXISTS (SELECT FROM pg_proc p WHERE p.oid = s.objid AND p.pronamespace IN (SELECT oid FROM ours))
                        WHEN 'pg_type'::regclass THEN EXISTS (SELECT FROM pg_type t WHERE t.oid = s.objid AND t.typnamespace IN (SELECT oid FROM ours))
                        WHEN 'pg_namespace'::regclass THEN s.objid IN (SELECT oid FROM ours)
                        WHEN 'pg_default_acl'::regclass THEN EXISTS (SELECT FROM pg_default_acl a WHERE a.oid = s.objid AND a.defaclnamespace IN (SELECT oid FROM ours))
                        ELSE false END) AS outside
      FROM pg_roles AS r WHERE r.rolname = ANY($1::text[])`, [PGTRAIL_ROLES, SCHEMAS]);
  const existing = PGTRAIL_ROLES.map((name) => rows.find((r) => r.rolname === name)).filter((r) => r !== undefined);
  for (const r of existing) {
    const reasons: string[] = [];
    if (r.elsewhere?.length) reasons.push(`${r.elsewhere.length === 1 ? 'database' : 'databases'} ${r.elsewhere.map((d: string) => `"${d}"`).join(', ')} ${r.elsewhere.length === 1 ? 'uses' : 'use'} it`);
    if (r.shared) reasons.push('it owns or is granted a database or tablespace');
    if (r.outside) reasons.push(`objects of "${plan.database}" outside pgtrail's schemas are granted to or owned by it`);
    if (reasons.length) plan.rolesKept.push({ role: r.rolname, reason: reasons.join('; ') });
    else plan.rolesDropped.push(r.rolname);
  }
  // The migrations try DROP ROLE on every one that exists (and keep those still in use), and
  // PostgreSQL checks the privilege before the dependencies: it is needed for kept roles too.
  can(who.createrole, `CREATEROLE, to drop the roles ${existing.map((r) => r.rolname).join(', ')}`);
  const noAdmin = existing.filter((r) => !r.admin).map((r) => r.rolname);
  if (who.version >= 160000 && who.createrole) {
    can(noAdmin.length === 0, `ADMIN OPTION on ${noAdmin.join(', ')} (PostgreSQL 16+: GRANT ${noAdmin.join(', ')} TO ${who.role} WITH ADMIN OPTION), to drop them`);
  }
}

async function planCron(client: pg.ClientBase, plan: UninstallPlan, cronDb: string | null, url: string | undefined, superuser: boolean): Promise<void> {
  if (!cronDb) return; // pg_cron is not loaded on this server
  try {
    if (cronDb === plan.database) {
      const { rows: [{ ok }] } = await client.query(`SELECT to_regclass('cron.job') IS NOT NULL AS ok`);
      if (!ok) return;
      const { rows } = await client.query('SELECT jobid, schedule, username FROM cron.job WHERE jobname = $1 AND database = $2 ORDER BY jobid LIMIT 1', [JOB_NAME, plan.database]);
      if (rows[0]) plan.cronJob = { jobId: Number(rows[0].jobid), schedule: rows[0].schedule, cronDatabase: cronDb, username: rows[0].username };
    } else if (url) {
      const state = await scheduleState(url);
      if (state.job) plan.cronJob = { jobId: state.job.jobId, schedule: state.job.schedule, cronDatabase: cronDb, username: state.job.username };
    } else {
      plan.cronNote = `pg_cron keeps its jobs in database "${cronDb}", which was not looked into (no connection string given)`;
    }
  } catch (error) {
    plan.cronNote = `could not read pg_cron's jobs in database "${cronDb}": ${(error as Error).message}; remove job ${JOB_NAME} there by hand if it exists`;
  }
  // pg_cron lets only its owner (or a superuser) unschedule a job.
  if (plan.cronJob && plan.cronJob.username !== plan.role && !superuser) {
    plan.missing.push(`the pg_cron job ${plan.cronJob.jobId} belongs to role ${plan.cronJob.username}: run uninstall as ${plan.cronJob.username} or a superuser`);
  }
}
