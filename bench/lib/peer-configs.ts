// The audit configurations bench:peers compares, each installed the way its users install it.
// The peers' SQL is never part of this project: it is read from files whose paths the run is given,
// and a peer without its file is skipped.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrate } from '../../src/install/migrate.ts';
import { enableAudit } from '../../src/audit/enable.ts';

export const CONFIG_NAMES = ['none', 'pgtrail', 'audit_trigger', 'supa_audit', 'ref_row', 'ref_stmt', 'pgtrail_no_btree', 'pgtrail_row', 'pgtrail_hybrid'] as const;
export type ConfigName = (typeof CONFIG_NAMES)[number];
/** What a run compares unless --configs says otherwise: every configuration but the studies. */
export const DEFAULT_CONFIGS: readonly ConfigName[] = CONFIG_NAMES.filter((n) => !n.startsWith('pgtrail_'));

export const LABELS: Record<ConfigName, string> = {
  none: 'none (unaudited)',
  pgtrail: 'pgtrail',
  audit_trigger: 'audit-trigger (2ndQuadrant, hstore)',
  supa_audit: 'supa_audit 0.3.1',
  ref_row: 'bare row trigger, to_jsonb, unindexed',
  ref_stmt: 'bare statement trigger, transition tables, unindexed',
  pgtrail_no_btree: 'study: pgtrail with its B-tree indexes dropped (BRINs kept); not a product configuration',
  pgtrail_row: 'study: pgtrail\'s event record written by a generic row-level trigger (lib/study-row-capture.sql)',
  pgtrail_hybrid: 'study: the row-level trigger for a statement\'s first 16 rows, a statement trigger for the rest',
};

/** Where each peer's SQL comes from (recorded in the results, never fetched by the benchmark). */
export const PEER_SOURCES = {
  audit_trigger: { repository: '2ndQuadrant/audit-trigger', file: 'audit.sql', commit: 'fdc3ade5', flag: 'audit-trigger-sql', env: 'AUDIT_TRIGGER_SQL' },
  supa_audit: { repository: 'supabase/supa_audit', file: 'supa_audit--0.3.1.sql', commit: '4f527f06', flag: 'supa-audit-sql', env: 'SUPA_AUDIT_SQL' },
} as const;
export type PeerName = keyof typeof PEER_SOURCES;

export interface PeerFile {
  repository: string;
  commit: string;
  /** Base name only: the path is a fact of one machine. */
  file: string;
  sha256: string;
  sql: string;
}

/** Reads a peer's file, or says why it is skipped. */
export function loadPeer(name: PeerName, path: string | undefined, commit: string): PeerFile | { skipped: string } {
  const src = PEER_SOURCES[name];
  if (!path) return { skipped: `no file: pass --${src.flag}=PATH or set ${src.env} (${src.repository} at ${src.commit}, ${src.file})` };
  if (!existsSync(path)) return { skipped: `file not found: ${basename(path)} (--${src.flag} / ${src.env})` };
  const sql = readFileSync(path, 'utf8');
  return { repository: src.repository, commit, file: basename(path), sha256: createHash('sha256').update(sql).digest('hex'), sql };
}

const here = dirname(fileURLToPath(import.meta.url));
const REF_SQL = readFileSync(join(here, 'ref-triggers.sql'), 'utf8');
const STUDY_ROW_SQL = readFileSync(join(here, 'study-row-capture.sql'), 'utf8');

/** supa_audit ships as an extension script; pg_extension_config_dump() only works inside CREATE EXTENSION. */
export const withoutConfigDump = (sql: string) => sql.split('\n').filter((l) => !l.includes('pg_extension_config_dump')).join('\n');

export interface Config {
  name: ConfigName;
  /** Installs the tool in a fresh database and audits `tables` (in schema public). */
  install(c: pg.Client, tables: string[]): Promise<void>;
  /** The schema whose growth during a workload is the tool's storage (null: stores nothing). */
  schema: string | null;
  /** Where a reader counts the tool's events. */
  eventsTable: string | null;
  /** pgtrail only: maintenance that production runs beside the writers (see deferred.ts). */
  deferred: boolean;
  /** Study configs: work a design would run once after a bulk workload, counted as deferred work. */
  batchWork?(c: pg.Client): Promise<void>;
}

/** The row-level (and hybrid) study configs: pgtrail's schema, then lib/study-row-capture.sql. */
async function installStudyRow(c: pg.Client, tables: string[], hybrid: boolean): Promise<void> {
  await migrate(c);
  await c.query(STUDY_ROW_SQL);
  for (const t of tables) {
    const key = (await c.query(`SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                                 WHERE i.indrelid = $1::regclass AND i.indisprimary`, [`public.${t}`])).rows[0]?.attname ?? 'id';
    const args = hybrid ? `'${key}', 'hybrid'` : `'${key}'`;
    await c.query(`CREATE TRIGGER pgtrail_study_row AFTER INSERT OR UPDATE OR DELETE ON public.${t} FOR EACH ROW EXECUTE FUNCTION audit.study_capture_row(${args})`);
    if (hybrid) {
      for (const [op, ref] of [['INSERT', 'NEW TABLE AS study_new'], ['UPDATE', 'OLD TABLE AS study_old NEW TABLE AS study_new'], ['DELETE', 'OLD TABLE AS study_old']]) {
        await c.query(`CREATE TRIGGER pgtrail_study_${op.toLowerCase()} AFTER ${op} ON public.${t} REFERENCING ${ref} FOR EACH STATEMENT EXECUTE FUNCTION audit.study_hybrid_stmt('${key}')`);
      }
    }
  }
}

export function makeConfigs(peers: Partial<Record<PeerName, PeerFile>>): Record<ConfigName, Config | undefined> {
  const regclass = async (c: pg.Client, fn: string, tables: string[]) => {
    for (const t of tables) await c.query(`SELECT ${fn}($1::regclass)`, [`public.${t}`]);
  };
  const at = peers.audit_trigger, sa = peers.supa_audit;
  return {
    none: { name: 'none', schema: null, eventsTable: null, deferred: false, install: async () => {} },
    pgtrail: {
      name: 'pgtrail', schema: 'audit', eventsTable: 'audit.events', deferred: true,
      // What `pgtrail migrate` and `pgtrail enable public.<t>` do, with default options.
      async install(c, tables) {
        await migrate(c);
        for (const t of tables) await enableAudit(c, { schema: 'public', table: t }, {});
      },
    },
    audit_trigger: at && {
      name: 'audit_trigger', schema: 'audit', eventsTable: 'audit.logged_actions', deferred: false,
      // Its documented default: audit_table(t) = row-level, with the client's query text.
      async install(c, tables) {
        await c.query('SET client_min_messages = warning');
        await c.query(at.sql);
        await regclass(c, 'audit.audit_table', tables);
        await c.query('RESET client_min_messages');
      },
    },
    supa_audit: sa && {
      name: 'supa_audit', schema: 'audit', eventsTable: 'audit.record_version', deferred: false,
      async install(c, tables) {
        await c.query('CREATE EXTENSION "uuid-ossp"');
        await c.query(withoutConfigDump(sa.sql));
        await regclass(c, 'audit.enable_tracking', tables);
      },
    },
    // The ceiling of "take index maintenance off the write path" (docs/capture.md): what capture
    // costs when audit.events keeps only its BRINs. Selected with --configs; not in the default set.
    pgtrail_no_btree: {
      name: 'pgtrail_no_btree', schema: 'audit', eventsTable: 'audit.events', deferred: true,
      async install(c, tables) {
        await migrate(c);
        for (const t of tables) await enableAudit(c, { schema: 'public', table: t }, {});
        // The definitions are kept in the database, for the batch build that such a design adds.
        await c.query(`CREATE TABLE public.pgtrail_study_dropped AS
                         SELECT pg_get_indexdef(indexrelid) AS def, indexrelid::regclass::text AS name
                           FROM pg_index JOIN pg_class ON pg_class.oid = indexrelid
                          WHERE indrelid = 'audit.events'::regclass AND relam = (SELECT oid FROM pg_am WHERE amname = 'btree')`);
        for (const x of (await c.query('SELECT name FROM public.pgtrail_study_dropped')).rows) await c.query(`DROP INDEX ${x.name}`);
      },
      // Once after a bulk workload: build the dropped B-trees over every partition in one pass each.
      async batchWork(c) {
        // pg_get_indexdef says ON ONLY for a partitioned index; without it every partition is built.
        for (const x of (await c.query('SELECT def FROM public.pgtrail_study_dropped')).rows) await c.query(x.def.replace(' ON ONLY ', ' ON '));
      },
    },
    // A row-level design with pgtrail's record, to see whether row-level capture would win small
    // transactions and what it would cost in bulk. Selected with --configs; not in the default set.
    pgtrail_row: {
      name: 'pgtrail_row', schema: 'audit', eventsTable: 'audit.events', deferred: true,
      install: (c, tables) => installStudyRow(c, tables, false),
    },
    pgtrail_hybrid: {
      name: 'pgtrail_hybrid', schema: 'audit', eventsTable: 'audit.events', deferred: true,
      install: (c, tables) => installStudyRow(c, tables, true),
    },
    ref_row: {
      name: 'ref_row', schema: 'ref_audit', eventsTable: 'ref_audit.log', deferred: false,
      async install(c, tables) { await c.query(REF_SQL); await regclass(c, 'ref_audit.enable_row', tables); },
    },
    ref_stmt: {
      name: 'ref_stmt', schema: 'ref_audit', eventsTable: 'ref_audit.log', deferred: false,
      async install(c, tables) { await c.query(REF_SQL); await regclass(c, 'ref_audit.enable_stmt', tables); },
    },
  };
}
