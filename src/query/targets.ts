// What the registry of audited tables says about target types: the display name a table declared
// (--type-name) and the application entity it stands for (--entity), so that the application's
// own events about (entity, id) and the row changes of row id read as one record history.
// The one place that matches target types against audit.audited_tables: a table's target type is
// displayName(schema, table) (src/db/sql.ts), written in SQL as TABLE_TYPE.
// Read on each request that needs it (one small table): a DBA may enable a table while the console runs.
import type { Queryable } from '../db/queryable.ts';

export interface TargetInfo {
  /** The declared display name (Broadcast), or null. */
  typeName: string | null;
  /** The application entity type the table stands for (campaign), or null. */
  entity: string | null;
  /** The verbs its rules name, in rule order. */
  verbs: string[];
}

/** An audited table's target type in SQL over audit.audited_tables: displayName's `schema.table`. */
const TABLE_TYPE = `schema_name || '.' || table_name`;

export interface AuditedTable {
  schema_name: string;
  table_name: string;
  /** schema.table, as its row-change events carry it. */
  target_type: string;
  key_columns: string[];
  options: Record<string, any> | null;
}

const COLUMNS = `schema_name, table_name, ${TABLE_TYPE} AS target_type, key_columns, options`;

/**
 * The audited table whose target type is `targetType`, and (with `entity`) the tables that declare
 * it as their application entity; the table itself first.
 */
export async function findAuditedTables(db: Queryable, targetType: string, { entity = false } = {}): Promise<AuditedTable[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM audit.audited_tables
      WHERE ${TABLE_TYPE} = $1${entity ? ` OR options ->> 'entity' = $1` : ''}
      ORDER BY (${TABLE_TYPE} = $1) DESC, 3`, [targetType]);
  return rows;
}

/** Every audited table, by target type, read once per request (planQuery). */
export class AuditedTargets {
  /** Declared names, entities and verbs, by target type (tables, and the entities they stand for). */
  readonly info: Map<string, TargetInfo>;

  constructor(readonly tables: readonly AuditedTable[]) {
    this.info = new Map();
    for (const t of tables) {
      const o = t.options ?? {};
      const typeName: string | null = o.typeName ?? null;
      const entity: string | null = o.entity ?? null;
      const verbs: string[] = Array.isArray(o.verbs) ? o.verbs.map((r: { verb: string }) => r.verb) : [];
      if (!['typeName', 'entity', 'verbs'].some((k) => Object.hasOwn(o, k))) continue;
      this.info.set(t.target_type, { typeName, entity, verbs: [...new Set(verbs)] });
    }
    // An application event about the entity reads with the table's type name too.
    for (const [, i] of [...this.info]) {
      if (i.entity && !this.info.has(i.entity)) this.info.set(i.entity, { typeName: i.typeName, entity: i.entity, verbs: [] });
    }
  }

  /** Every audited table's target type, sorted (the console offers them). */
  get types(): string[] {
    return this.tables.map((t) => t.target_type);
  }

  /**
   * The target types that name the same records as `targetType`: for a table with an entity, that
   * entity; for an entity, every table that declares it. Empty when nothing is declared.
   */
  sameAs(targetType: string): string[] {
    const other = new Set<string>();
    for (const t of this.tables) {
      const entity = t.options?.entity;
      if (typeof entity !== 'string') continue;
      if (t.target_type === targetType) other.add(entity);
      else if (entity === targetType) other.add(t.target_type);
    }
    other.delete(targetType);
    return [...other].sort();
  }
}

export async function auditedTargets(db: Queryable): Promise<AuditedTargets> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM audit.audited_tables ORDER BY 3`);
  return new AuditedTargets(rows);
}
