// A dump of everything pgtrail's migrations create, as sorted lines, so two schemas can be compared
// whole: relations, columns, constraints, indexes, function definitions (bodies, SET clauses,
// SECURITY DEFINER), triggers with their enabled state, sequences, privileges and the roles pgtrail
// creates. Object names alone would miss an edited function body or a lost grant.
import type pg from 'pg';

const SCHEMAS = ['audit', 'console'];

/** `schemas`: pgtrail's by default; a test of the application's side passes its own. */
export async function catalogDump(client: pg.ClientBase, schemas: string[] = SCHEMAS): Promise<string[]> {
  const { rows } = await client.query<{ line: string }>(`
    WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname = ANY($1::text[])),
    rel AS (SELECT c.oid, n.nspname || '.' || c.relname AS name, c.relkind, c.relacl, c.relowner
              FROM pg_class c JOIN ns n ON n.oid = c.relnamespace)
    SELECT 'schema ' || nspname || ' owner=' || pg_get_userbyid(n.nspowner) || ' acl=' || coalesce(n.nspacl::text, '') AS line
      FROM pg_namespace n WHERE nspname = ANY($1::text[])
    UNION ALL
    SELECT 'relation ' || rel.name || ' kind=' || rel.relkind::text || ' owner=' || pg_get_userbyid(rel.relowner) || ' acl=' || coalesce(rel.relacl::text, '')
      || coalesce(' bound=' || pg_get_expr(c.relpartbound, c.oid), '')
      FROM rel JOIN pg_class c USING (oid)
    UNION ALL
    SELECT 'column ' || r.name || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
           || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
           || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
           || ' acl=' || coalesce(a.attacl::text, '')
      FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE r.relkind IN ('r', 'p', 'v', 'm', 'f')
    UNION ALL
    SELECT 'constraint ' || r.name || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
      FROM pg_constraint co JOIN rel r ON r.oid = co.conrelid
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN rel r ON r.oid = i.indrelid
    UNION ALL
    SELECT 'trigger ' || pg_get_triggerdef(tg.oid) || ' enabled=' || tg.tgenabled::text
      FROM pg_trigger tg JOIN rel r ON r.oid = tg.tgrelid WHERE NOT tg.tgisinternal
    UNION ALL
    SELECT 'function ' || pg_get_functiondef(p.oid) || ' owner=' || pg_get_userbyid(p.proowner) || ' acl=' || coalesce(p.proacl::text, '')
      FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace WHERE p.prokind IN ('f', 'p')
    UNION ALL
    SELECT 'type ' || n.nspname || '.' || t.typname || ' ' || t.typtype::text
      FROM pg_type t JOIN ns n ON n.oid = t.typnamespace
     WHERE t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
    UNION ALL
    SELECT 'sequence ' || r.name || ' ' || s.seqtypid::regtype || ' start=' || s.seqstart || ' inc=' || s.seqincrement
      FROM pg_sequence s JOIN rel r ON r.oid = s.seqrelid
    UNION ALL
    SELECT 'role ' || rolname || ' login=' || rolcanlogin || ' inherit=' || rolinherit || ' bypassrls=' || rolbypassrls
           || ' member of ' || coalesce((SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                                         WHERE m.member = ro.oid), '')
      FROM pg_roles ro WHERE rolname IN ('pgtrail_owner', 'pgtrail_reader', 'pgtrail_writer', 'pgtrail_console', 'pgtrail_maintenance')
    ORDER BY 1`, [schemas]);
  return rows.map((r) => r.line);
}
