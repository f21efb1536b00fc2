// What the registry of audited tables says about target types: the display name a table declared
// (--type-name) and the application entity it stands for (--entity), so that the application's
// own events about (entity, id) and the row changes of row id read as one record history.
// Read on each request that needs it (one small table): a DBA may enable a table while the console runs.
import type { Queryable } from '../db/queryable.ts';
import type { EventFilter } from './filter.ts';
import type { PredicateOptions } from './predicate.ts';
import { useSearchIndex } from './search-index.ts';

export interface TargetInfo {
  /** The declared display name (Broadcast), or null. */
  typeName: string | null;
  /** The application entity type the table stands for (campaign), or null. */
  entity: string | null;
  /** The verbs its rules name, in rule order. */
  verbs: string[];
}

const TABLE_TYPE = `schema_name || '.' || table_name`;

/**
 * The target types that name the same records as `targetType`: for a table with an entity, that
 * entity; for an entity, every table that declares it. Empty when nothing is declared.
 */
export async function sameTargetTypes(db: Queryable, targetType: string): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT CASE WHEN ${TABLE_TYPE} = $1 THEN options->>'entity' ELSE ${TABLE_TYPE} END AS other
       FROM audit.audited_tables
      WHERE options->>'entity' IS NOT NULL AND $1 IN (${TABLE_TYPE}, options->>'entity')
      ORDER BY 1`, [targetType]);
  return rows.map((r) => r.other).filter((t: string) => t !== targetType);
}

/** Every audited table's declared type name and entity, by target type (schema.table). */
export async function targetInfo(db: Queryable): Promise<Map<string, TargetInfo>> {
  const { rows } = await db.query(
    `SELECT ${TABLE_TYPE} AS target_type, options->>'typeName' AS type_name, options->>'entity' AS entity,
            ARRAY(SELECT r->>'verb' FROM jsonb_array_elements(coalesce(options->'verbs', '[]')) AS r) AS verbs
       FROM audit.audited_tables
      WHERE options ?| ARRAY['typeName', 'entity', 'verbs']
      ORDER BY 1`);
  const info = new Map<string, TargetInfo>();
  for (const r of rows) {
    info.set(r.target_type, { typeName: r.type_name, entity: r.entity, verbs: [...new Set<string>(r.verbs)] });
    // An application event about the entity reads with the table's type name too.
    if (r.entity && !info.has(r.entity)) info.set(r.entity, { typeName: r.type_name, entity: r.entity, verbs: [] });
  }
  return info;
}

/** Everything wherePredicate needs to know from the database for this filter: two small lookups at most. */
export async function predicateOptions(db: Queryable, filter: EventFilter, now?: Date): Promise<PredicateOptions> {
  const [searchIndex, sameTarget] = await Promise.all([
    useSearchIndex(db, filter, now),
    filter.target_type ? sameTargetTypes(db, filter.target_type) : Promise.resolve([]),
  ]);
  return { searchIndex, sameTarget };
}
