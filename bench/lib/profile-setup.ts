// bench/capture-profile.sh's database: bench_t (100,000 rows) audited by pgtrail as installed, and
// copies of audit.events for the direct-insert comparison.
import pg from 'pg';
import { migrate } from '../../src/install/migrate.ts';
import { enableAudit } from '../../src/audit/enable.ts';
import { BENCH_T_DDL } from './peer-workloads.ts';

const client = new pg.Client({ connectionString: process.env.PGTRAIL_PROFILE_URL });
await client.connect();
client.on('notice', () => {});
await client.query('CREATE EXTENSION pg_stat_statements');
await client.query(BENCH_T_DDL);
await client.query(`INSERT INTO bench_t (n, name, payload, amount, flag, note, ref, score)
                    SELECT g, 'name-' || g, '{}', 1, true, 'x', gen_random_uuid(), random() FROM generate_series(1, 100000) g`);
await migrate(client);
await enableAudit(client, { schema: 'public', table: 'bench_t' }, {});
await client.query(`
  CREATE TABLE audit.events_unindexed (LIKE audit.events INCLUDING DEFAULTS) PARTITION BY RANGE (occurred_at);
  CREATE TABLE audit.events_unindexed_now PARTITION OF audit.events_unindexed FOR VALUES FROM ('2000-01-01') TO ('2100-01-01');
  CREATE TABLE audit.events_unpartitioned_unindexed (LIKE audit.events INCLUDING DEFAULTS);
  CREATE TABLE audit.events_unpartitioned_indexed (LIKE audit.events INCLUDING DEFAULTS INCLUDING INDEXES);
  CREATE TABLE audit.events_three_indexes (LIKE audit.events INCLUDING DEFAULTS);
  CREATE INDEX ON audit.events_three_indexes (id);
  CREATE INDEX ON audit.events_three_indexes USING brin (occurred_at);
  CREATE INDEX ON audit.events_three_indexes (target_type, target_id);`);
await client.query('VACUUM ANALYZE');
await client.end();
