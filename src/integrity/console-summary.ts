// What the console shows about seals, kept cheap: the event list reads the newest seal row and the
// newest recorded verify (two LIMIT 1 reads, never a verify); an event's detail the one seal whose
// id set holds it. A verify run from the console is recorded as an integrity.verify event, so the
// last result survives restarts and is on the trail with who asked for it.
import type pg from 'pg';
import type { Queryable } from '../db/queryable.ts';
import type { VerifyReport } from './verify.ts';

const VERIFY_ACTION = 'integrity.verify';

export interface SealHead {
  seq: string;
  sealedAt: string;
  lastId: string | null;
}

/** The newest integrity.verify event's summary (its metadata), with when and by whom. */
export interface VerifyResult {
  eventId: string;
  at: string;
  by: string | null;
  ok: boolean;
  problems: number;
  kinds: string[];
  headSeq: string | null;
  seals: number;
  checked: number;
  events: number;
  keyGiven: boolean;
}

export interface SealSummary {
  /** null: the seal tables are not installed (migration 0010). */
  installed: boolean;
  head: SealHead | null;
  lastVerify: VerifyResult | null;
}

const UTC = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

export async function sealSummary(db: Queryable): Promise<SealSummary> {
  const { rows: [r] } = await db.query(
    `SELECT to_regclass('audit.seals') IS NOT NULL AS installed`);
  if (!r.installed) return { installed: false, head: null, lastVerify: null };
  const { rows: [s] } = await db.query(
    `SELECT (SELECT jsonb_build_object('seq', seq::text, 'sealedAt', ${UTC('sealed_at')}, 'lastId', last_id::text)
               FROM audit.seals ORDER BY seq DESC LIMIT 1) AS head,
            (SELECT jsonb_build_object('eventId', id::text, 'at', ${UTC('occurred_at')}, 'by', actor_name, 'm', metadata)
               FROM audit.events WHERE action = $1 ORDER BY id DESC LIMIT 1) AS verify`, [VERIFY_ACTION]);
  return { installed: true, head: s.head, lastVerify: s.verify ? verifyResultOf(s.verify) : null };
}

function verifyResultOf(v: { eventId: string; at: string; by: string | null; m: Record<string, any> | null }): VerifyResult {
  const m = v.m ?? {};
  return {
    eventId: v.eventId,
    at: v.at,
    by: v.by,
    ok: m.ok === true,
    problems: Number(m.problems ?? 0),
    kinds: Array.isArray(m.kinds) ? m.kinds.map(String) : [],
    headSeq: m.head_seq ?? null,
    seals: Number(m.seals ?? 0),
    checked: Number(m.checked ?? 0),
    events: Number(m.events ?? 0),
    keyGiven: m.key_given === true,
  };
}

/** The seal whose id set holds this event, or null when none does (yet). */
export async function sealCovering(db: Queryable, eventId: string): Promise<{ seq: string; sealedAt: string } | null> {
  const { rows: [r] } = await db.query(`SELECT to_regclass('audit.seals') IS NOT NULL AS installed`);
  if (!r.installed) return null;
  const { rows } = await db.query(
    `SELECT seq::text, ${UTC('sealed_at')} AS "sealedAt" FROM audit.seals WHERE ids @> $1::bigint ORDER BY seq LIMIT 1`, [eventId]);
  return rows[0] ?? null;
}

/** Records a verify run's outcome as an integrity.verify event, in the caller's transaction and context. */
export async function recordVerify(client: pg.ClientBase, report: VerifyReport): Promise<void> {
  const kinds = [...new Set(report.findings.map((f) => f.kind))];
  await client.query(`SELECT audit.log_event($1, 'audit.seals', $2, $3::jsonb)`, [VERIFY_ACTION, report.head?.seq ?? null, JSON.stringify({
    ok: report.ok, problems: report.findings.length, kinds, head_seq: report.head?.seq ?? null,
    seals: report.seals, checked: report.checked, events: report.events, key_given: report.expectedKeyGiven,
  })]);
}
