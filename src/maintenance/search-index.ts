// The optional free-text index for the console's `q` filter (audit.events_search_idx, migration
// 0006): enable, disable, status. Opt-in because every GIN index costs each audited write (README,
// "Free-text search index"), so a DBA chooses it.
//
// Enabling on a large live table must not stall audited writes: audit.enable_search_index() makes
// the partitioned index ON ONLY audit.events and returns one CREATE INDEX CONCURRENTLY per
// partition still to build; those cannot run in a transaction or function, so this module runs
// them one by one (newest partition first) and calls the function again, which attaches what was
// built. Only the catalog steps take locks that writes wait for, each under a lock_timeout.
import type pg from 'pg';
import { requireInstalled } from '../audit/installed.ts';
import { sqlState, SqlState, UserError } from '../db/errors.ts';
import type { Queryable } from '../db/queryable.ts';
import { MAINTENANCE_LOCK } from './lock.ts';
import { inTransaction } from '../db/transaction.ts';

/** outdated: built before migration 0012, without labels; queries do not use it, `enable` rebuilds it. */
export type SearchIndexState = 'off' | 'building' | 'on' | 'outdated';

export interface SearchIndexStatus {
  state: SearchIndexState;
  /** Partitions of audit.events, the default one included. */
  partitions: number;
  /** Partitions whose index is built and attached. */
  indexed: number;
  bytes: number;
  /** The planner's estimate of the events (reltuples), for bytes per event. */
  events: number;
}

/** How long a catalog step may wait for its lock before giving up (a long export may hold one). */
export const LOCK_TIMEOUT = '10s';
/** A second key beside maintenance's: two enables at once would build the same indexes twice. */
const SEARCH_INDEX_LOCK = { classId: MAINTENANCE_LOCK.classId, objId: 2 } as const;

export async function searchIndexStatus(db: Queryable): Promise<SearchIndexStatus> {
  await requireSearchIndexFunctions(db);
  const { rows } = await db.query('SELECT state, partitions, indexed, bytes::text, events::text FROM audit.search_index_status()');
  const r = rows[0];
  return { state: r.state, partitions: r.partitions, indexed: r.indexed, bytes: Number(r.bytes), events: Number(r.events) };
}

export interface BuildStep {
  partition: string;
  statement: string;
  ms: number;
  /** A build (else the DROP of an index an interrupted build left invalid, before its rebuild). */
  build: boolean;
  /** Rows a build indexes, as the planner estimates them (pg_class.reltuples; 0 if never analysed, and for a DROP). */
  rows: number;
}

/** The steps a round is about to run, in order (newest partition first). */
export type BuildPlan = Array<Omit<BuildStep, 'ms'>>;

/**
 * Builds the index on every partition that lacks it and attaches it; idempotent, and resumes an
 * interrupted run (an index left invalid is dropped and built again). Needs one connection of its
 * own (session settings, CONCURRENTLY) as a role that may create pg_trgm if it is missing and may
 * SET ROLE pgtrail_owner (the role that installed pgtrail, or a superuser).
 */
export async function enableSearchIndex(client: pg.Client, onStep: (step: BuildStep) => void = () => {},
  onPlan: (plan: BuildPlan) => void = () => {}): Promise<SearchIndexStatus> {
  await requireSearchIndexFunctions(client);
  await ensureTrigram(client);
  return asOwner(client, async () => {
    for (let round = 0; round < 3; round++) {
      const { rows } = await catalogStep(client, 'SELECT partition, statement FROM audit.enable_search_index()');
      if (rows.length === 0) return searchIndexStatus(client);
      const plan = await withEstimatedRows(client, rows);
      onPlan(plan);
      for (const { partition, statement, build, rows: estimate } of plan) {
        const t0 = Date.now();
        // No lock_timeout here: CONCURRENTLY waits for transactions older than itself (a long
        // export) without blocking anyone, and must not give up because of them.
        await client.query(statement);
        onStep({ partition, statement, build, rows: estimate, ms: Date.now() - t0 });
      }
    }
    // Each round attaches what the one before built; a third still finding work means partitions
    // keep appearing faster than they are indexed, or a build keeps failing: say where it stands.
    const status = await searchIndexStatus(client);
    throw new UserError(`search index: ${status.indexed} of ${status.partitions} partitions indexed after three rounds; run \`pgtrail search-index enable\` again`);
  });
}

/** The planner's row estimate for each build step (cheap, and good enough for "how far"). */
async function withEstimatedRows(db: Queryable, steps: Array<{ partition: string; statement: string }>): Promise<BuildPlan> {
  const { rows } = await db.query(
    `SELECT p.name, greatest(coalesce(c.reltuples, 0), 0)::float8 AS rows
       FROM unnest($1::text[]) AS p(name)
       LEFT JOIN pg_class AS c ON c.relname = p.name AND c.relnamespace = 'audit'::regnamespace`, [[...new Set(steps.map((s) => s.partition))]]);
  const estimate = new Map<string, number>(rows.map((r) => [r.name, Math.round(r.rows)]));
  return steps.map(({ partition, statement }) => {
    const build = !statement.startsWith('DROP');
    return { partition, statement, build, rows: build ? estimate.get(partition) ?? 0 : 0 };
  });
}

/** Drops the index (all partitions); true if there was one. */
export async function disableSearchIndex(client: pg.Client): Promise<boolean> {
  await requireSearchIndexFunctions(client);
  return asOwner(client, async () => (await catalogStep(client, 'SELECT audit.disable_search_index() AS dropped')).rows[0].dropped === true);
}

async function requireSearchIndexFunctions(db: Queryable): Promise<void> {
  await requireInstalled(db);
  const { rows } = await db.query(`SELECT to_regprocedure('audit.search_index_status()') IS NOT NULL AS ok`);
  if (!rows[0].ok) throw new UserError('this database has pgtrail without the search index functions (migration 0006)', { hint: 'run `pgtrail migrate` first' });
}

/** pg_trgm must be available on the server; it is created here if it is not yet in the database. */
async function ensureTrigram(client: pg.Client): Promise<void> {
  const { rows } = await client.query(`SELECT installed_version FROM pg_available_extensions WHERE name = 'pg_trgm'`);
  if (rows.length === 0) {
    throw new UserError('the search index needs the pg_trgm extension, which this PostgreSQL server does not have', {
      hint: 'install PostgreSQL\'s contrib modules on the server (Debian/Ubuntu: postgresql-contrib; most managed services include pg_trgm)',
    });
  }
  if (rows[0].installed_version !== null) return;
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  } catch (error) {
    if (sqlState(error) === SqlState.insufficientPrivilege) {
      throw new UserError('pg_trgm is not installed in this database and this role may not create it', {
        hint: 'have the database owner or a superuser run CREATE EXTENSION pg_trgm, then run this again', cause: error,
      });
    }
    throw error;
  }
}

/** Runs `work` as pgtrail_owner (the owner of audit.events) under the search-index lock. */
async function asOwner<T>(client: pg.Client, work: () => Promise<T>): Promise<T> {
  const { rows } = await client.query('SELECT pg_try_advisory_lock($1, $2) AS locked', [SEARCH_INDEX_LOCK.classId, SEARCH_INDEX_LOCK.objId]);
  if (!rows[0].locked) throw new UserError('another `pgtrail search-index` is running on this database; wait for it to finish');
  try {
    await client.query('SET ROLE pgtrail_owner');
    try {
      return await work();
    } finally {
      await client.query('RESET ROLE').catch(() => {});
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, $2)', [SEARCH_INDEX_LOCK.classId, SEARCH_INDEX_LOCK.objId]).catch(() => {});
  }
}

/**
 * A statement that changes the catalog of audit.events, in a transaction of its own with a
 * lock_timeout: waiting long for its lock behind a long query would make every audited write
 * queue up behind it in turn.
 */
async function catalogStep(client: pg.Client, text: string): Promise<pg.QueryResult> {
  try {
    return await inTransaction(client, async () => {
      await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      return client.query(text);
    });
  } catch (error) {
    if (sqlState(error) === SqlState.lockNotAvailable) {
      throw new UserError(`could not lock audit.events within ${LOCK_TIMEOUT}: a long query or export is using it`, {
        hint: 'try again in a moment; pg_stat_activity shows what is running', cause: error,
      });
    }
    throw error;
  }
}
