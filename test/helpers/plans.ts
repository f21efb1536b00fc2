// Plans of the statements listEvents and countEvents actually send: recorded, then EXPLAINed with
// the same values, so a test asserts the plan of exactly what the console runs.
import type pg from 'pg';
import type { Queryable } from '../../src/db/queryable.ts';
import { parseFilter } from '../../src/query/filter.ts';
import { countEvents, listEvents } from '../../src/query/list.ts';

export interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] }

export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

/** Partition index → the index on audit.events it belongs to. */
export async function parentIndexes(db: pg.Pool): Promise<Map<string, string>> {
  const { rows } = await db.query(`
    SELECT c.relname AS child, p.relname AS parent
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relkind = 'I' AND p.relnamespace = 'audit'::regnamespace`);
  return new Map(rows.map((r) => [r.child, r.parent]));
}

/** The indexes on audit.events (not their partitions' names) a plan reads. */
export function indexesIn(parents: Map<string, string>, ns: PlanNode[]): Set<string> {
  return new Set(ns.map((n) => n['Index Name']).filter((x): x is string => !!x).map((i) => parents.get(i) ?? i));
}

/** The plans of the page and the count for these URL parameters. */
export async function filterPlans(db: pg.Pool, query: string, now: Date): Promise<{ list: PlanNode[]; count: PlanNode[] }> {
  const sent: Array<{ text: string; values?: unknown[] }> = [];
  const recorder: Queryable = { query: (text, values) => { sent.push({ text, values }); return db.query(text, values); } };
  const filter = parseFilter(new URLSearchParams(query));
  await listEvents(recorder, filter, { limit: 50, secret: 's', now });
  const listSql = sent.filter((s) => s.text.includes('ORDER BY')).at(-1)!;
  await countEvents(recorder, filter, now);
  const countSql = sent.at(-1)!;
  const explain = async (s: { text: string; values?: unknown[] }) =>
    planNodes((await db.query(`EXPLAIN (FORMAT JSON) ${s.text}`, s.values)).rows[0]['QUERY PLAN'][0].Plan);
  return { list: await explain(listSql), count: await explain(countSql) };
}
