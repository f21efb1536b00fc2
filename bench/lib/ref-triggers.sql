-- Bare reference audit triggers for bench:peers: the floor of what a trigger-based design costs.
-- Benchmark fixtures, not product code. Both write into one plain table without indexes:
--
--   ref_audit.enable_row(t)   row-level AFTER INSERT/UPDATE/DELETE trigger: one INSERT per row,
--                             to_jsonb(OLD) / to_jsonb(NEW)
--   ref_audit.enable_stmt(t)  statement-level triggers with transition tables: one INSERT … SELECT
--                             per statement; UPDATE pairs old and new rows on the primary key
--
-- Context: the actor from current_setting('audit.actor', true) (bench:peers sets it for every
-- session), the client address, the transaction id and the statement time.

CREATE SCHEMA ref_audit;

CREATE TABLE ref_audit.log (
  ts          timestamptz NOT NULL DEFAULT statement_timestamp(),
  xid         xid8        NOT NULL DEFAULT pg_current_xact_id(),
  table_oid   oid         NOT NULL,
  op          "char"      NOT NULL,  -- I / U / D
  actor       text,
  client_addr inet,
  old_row     jsonb,
  new_row     jsonb
);

-- ------------------------------------------------------------------ row level
CREATE FUNCTION ref_audit.row_trg() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- OLD is NULL for INSERT and NEW for DELETE, so to_jsonb() of them is NULL there.
  INSERT INTO ref_audit.log (table_oid, op, actor, client_addr, old_row, new_row)
  VALUES (TG_RELID, left(TG_OP, 1)::"char", current_setting('audit.actor', true), inet_client_addr(),
          to_jsonb(OLD), to_jsonb(NEW));
  RETURN NULL;
END
$$;

-- ------------------------------------------------------------ statement level
-- Whole rows are written alias.*: a bare alias would resolve to a column of that name if the
-- audited table had one.
CREATE FUNCTION ref_audit.stmt_ins() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_actor text := current_setting('audit.actor', true);  -- once per statement, not per row
  v_addr  inet := inet_client_addr();
BEGIN
  INSERT INTO ref_audit.log (table_oid, op, actor, client_addr, old_row, new_row)
  SELECT TG_RELID, 'I', v_actor, v_addr, NULL, to_jsonb(n.*)
    FROM ref_new AS n;
  RETURN NULL;
END
$$;

CREATE FUNCTION ref_audit.stmt_del() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_actor text := current_setting('audit.actor', true);  -- once per statement, not per row
  v_addr  inet := inet_client_addr();
BEGIN
  INSERT INTO ref_audit.log (table_oid, op, actor, client_addr, old_row, new_row)
  SELECT TG_RELID, 'D', v_actor, v_addr, to_jsonb(o.*), NULL
    FROM ref_old AS o;
  RETURN NULL;
END
$$;

-- TG_ARGV[0]: the quoted primary-key column list. Transition tables carry no row identity, so old
-- and new rows are paired on the key (an UPDATE of the key itself would not pair: a real product
-- needs more; the benchmark's UPDATEs never change keys).
CREATE FUNCTION ref_audit.stmt_upd() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format(
    'INSERT INTO ref_audit.log (table_oid, op, actor, client_addr, old_row, new_row)
     SELECT $1, ''U'', $2, $3, to_jsonb(o.*), to_jsonb(n.*)
       FROM ref_old AS o JOIN ref_new AS n USING (%s)', TG_ARGV[0])
  USING TG_RELID, current_setting('audit.actor', true), inet_client_addr();
  RETURN NULL;
END
$$;

-- ------------------------------------------------------------------- enablers
CREATE FUNCTION ref_audit.enable_row(p_table regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TRIGGER ref_audit_row AFTER INSERT OR UPDATE OR DELETE ON %s
                  FOR EACH ROW EXECUTE FUNCTION ref_audit.row_trg()', p_table);
END
$$;

CREATE FUNCTION ref_audit.enable_stmt(p_table regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_pk text;
BEGIN
  SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_pk
    FROM pg_index AS i
    JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
   WHERE i.indrelid = p_table AND i.indisprimary;
  IF v_pk IS NULL THEN
    RAISE EXCEPTION 'ref_audit.enable_stmt: % has no primary key', p_table;
  END IF;
  EXECUTE format('CREATE TRIGGER ref_audit_ins AFTER INSERT ON %s REFERENCING NEW TABLE AS ref_new
                  FOR EACH STATEMENT EXECUTE FUNCTION ref_audit.stmt_ins()', p_table);
  EXECUTE format('CREATE TRIGGER ref_audit_upd AFTER UPDATE ON %s REFERENCING OLD TABLE AS ref_old NEW TABLE AS ref_new
                  FOR EACH STATEMENT EXECUTE FUNCTION ref_audit.stmt_upd(%L)', p_table, v_pk);
  EXECUTE format('CREATE TRIGGER ref_audit_del AFTER DELETE ON %s REFERENCING OLD TABLE AS ref_old
                  FOR EACH STATEMENT EXECUTE FUNCTION ref_audit.stmt_del()', p_table);
END
$$;
