// The audit configurations bench:peers compares, each installed the way its users install it.
// The peers' SQL is never part of this project: it is read from files whose paths the run is given,
// and a peer without its file is skipped.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrate } from '../../src/migrate.ts';
import { enableAudit } from '../../src/audit/enable.ts';

export const CONFIG_NAMES = ['none', 'pgtrail', 'audit_trigger', 'supa_audit', 'ref_row', 'ref_stmt', 'pgtrail_no_btree'] as const;
export type ConfigName = (typeof CONFIG_NAMES)[number];
/** What a run compares unless --configs says otherwise: every configuration but the studies. */
export const DEFAULT_CONFIGS: readonly ConfigName[] = CONFIG_NAMES.filter((n) => n !== 'pgtrail_no_btree');

export const LABELS: Record<ConfigName, string> = {
  none: 'none (unaudited)',
  pgtrail: 'pgtrail',
  audit_trigger: 'audit-trigger (2ndQuadrant, hstore)',
  supa_audit: 'supa_audit 0.3.1',
  ref_row: 'bare row trigger, to_jsonb, unindexed',
  ref_stmt: 'bare statement trigger, transition tables, unindexed',
  pgtrail_no_btree: 'study: pgtrail with its B-tree indexes dropped (BRINs kept); not a product configuration',
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

const REF_SQL = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'ref-triggers.sql'), 'utf8');

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
        const r = await c.query(`SELECT indexrelid::regclass::text AS i FROM pg_index JOIN pg_class ON oid = indexrelid WHERE indrelid = 'audit.events'::regclass AND relam = (SELECT oid FROM pg_am WHERE amname = 'btree')`);
        for (const x of r.rows) await c.query(`DROP INDEX ${x.i}`);
      },
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
