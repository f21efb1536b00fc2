// The tables and statements of bench:peers' workloads (after the external reference harness's
// peer-harness/bench_table.sql, insert_one.pgbench and bulk.sql, not in this repository). Sizes travel as parameters.

/** (b), (c): 10 columns of mixed types. */
export const BENCH_T_DDL = `
CREATE TABLE bench_t (
  id         bigserial PRIMARY KEY,
  n          integer       NOT NULL,
  name       text          NOT NULL,
  created_at timestamptz   NOT NULL DEFAULT now(),
  payload    jsonb         NOT NULL,
  amount     numeric(12,2) NOT NULL,
  flag       boolean       NOT NULL,
  note       text,
  ref        uuid,
  score      double precision
)`;

/** (b): one-row INSERT per transaction (pgbench -n -f). */
export const INSERT_ONE_PGBENCH = `\\set n random(1, 100000000)
INSERT INTO bench_t (n, name, payload, amount, flag, note, ref, score) VALUES (:n, 'name-' || :n, jsonb_build_object('k', :n, 'tags', jsonb_build_array('a', 'b', 'c'), 'nested', jsonb_build_object('x', :n % 97, 'y', md5(:n::text))), (:n % 100000) / 100.0, :n % 2 = 0, repeat('x', 40), gen_random_uuid(), random());
`;

/** (c): each timed on its own, one autocommit statement each. $1 = rows. */
export const BULK = {
  insert: `
INSERT INTO bench_t (n, name, payload, amount, flag, note, ref, score)
SELECT g, 'name-' || g,
       jsonb_build_object('k', g, 'tags', jsonb_build_array('a', 'b', 'c'),
                          'nested', jsonb_build_object('x', g % 97, 'y', md5(g::text))),
       (g % 100000) / 100.0, g % 2 = 0, repeat('x', 40), gen_random_uuid(), random()
  FROM generate_series(1, $1::int) AS g`,
  update: `UPDATE bench_t SET note = note || 'x'`,
  delete: `DELETE FROM bench_t`,
} as const;

/** (e): parents with children that go with them (ON DELETE CASCADE); the FK is indexed, as it should be. */
export const FK_DDL = `
CREATE TABLE parents (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE children (
  id        bigint PRIMARY KEY,
  parent_id bigint NOT NULL REFERENCES parents ON DELETE CASCADE,
  note      text NOT NULL
);
CREATE INDEX children_parent_id_idx ON children (parent_id)`;
/** $1 = parents, $2 = children per parent. */
export const FK_FILL = [
  `INSERT INTO parents SELECT g, 'parent-' || g FROM generate_series(1, $1::int) AS g`,
  `INSERT INTO children SELECT g, (g - 1) / $2::int + 1, 'child-' || g FROM generate_series(1, $1::int * $2::int) AS g`,
];
export const FK_DELETE = 'DELETE FROM parents';

/**
 * (f): rows each holding a large text value stored out of line and uncompressed (STORAGE EXTERNAL:
 * what a DBA sets for values that do not compress). Hex digits, like most large text that does not
 * compress: a tool that copies the value into a jsonb column pays for pglz trying (about 0.3 s per
 * 5 MB, measured) and still stores it at full size. $1 = rows, $2 = bytes per value.
 */
export const TOAST_DDL = `
CREATE TABLE big (id integer PRIMARY KEY, n integer NOT NULL, doc text NOT NULL);
ALTER TABLE big ALTER COLUMN doc SET STORAGE EXTERNAL`;
export const TOAST_FILL = `
INSERT INTO big (id, n, doc)
SELECT g, 0, (SELECT left(string_agg(md5(g || ':' || i), ''), $2::int) FROM generate_series(1, $2::int / 32 + 1) AS i)
  FROM generate_series(1, $1::int) AS g`;
/** Changes one small column; the big value does not change. */
export const TOAST_UPDATE = 'UPDATE big SET n = n + 1';
