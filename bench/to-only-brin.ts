// Study (not shipped, not a test): would a BRIN index on audit.events(id) make "to only" pages
// exact and fast with monthly partitions? On the query-latency benchmark's kept monthly database
// it builds a BRIN on id on the November partition, then for several `to` compares the walk
// listEvents does today (newest first along the id index, passing every event after `to`) with
// the two-step page: the last hour before `to` collected and sorted (BRIN on occurred_at), then
// the events of earlier times with an id above that hour's 51st-newest (rows written out of time
// order), found by ANDing the two BRIN bitmaps (the planner has to be told: enable_indexscan and
// enable_seqscan off for that statement). Checks both give the same page; drops the index after.
//
//   flock /tmp/bench.lock npx tsx bench/to-only-brin.ts --data-dir=/tmp/qlat2/data
// (after `npm run bench:query -- --data-dir=/tmp/qlat2/data` generated the monthly database)
import pg from 'pg';
import { startEmbedded } from '../src/embedded/server.ts';
import { urlFor } from './lib/util.ts';

const dataDir = process.argv.slice(2).find((a) => a.startsWith('--data-dir='))?.slice(11);
if (!dataDir) throw new Error('--data-dir=DIR (the query-latency benchmark\'s kept cluster) is required');
const server = await startEmbedded({ dataDir });
const c = new pg.Client({ connectionString: urlFor(server.url, 'qlat_month_10000000_30') });
await c.connect();
const timed = async (text: string, values?: unknown[]) => {
  const t0 = process.hrtime.bigint();
  const { rows } = await c.query(text, values);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, ids: rows.map((r) => String(r.id)) };
};
try {
  const build = await timed('CREATE INDEX events_p20261101_id_brin ON audit.events_p20261101 USING brin (id)');
  const size = (await c.query(`SELECT pg_relation_size('audit.events_p20261101_id_brin') AS b`)).rows[0].b;
  console.log(`BRIN on id, November partition: built in ${(build.ms / 1000).toFixed(1)} s, ${size} bytes`);
  await c.query('ANALYZE audit.events_p20261101');
  for (const to of ['2026-11-02', '2026-11-05', '2026-11-10', '2026-11-15', '2026-11-20']) {
    const walk = await timed('SELECT id FROM audit.events WHERE occurred_at < $1::timestamptz ORDER BY id DESC LIMIT 51', [to]);
    const hour = await timed(`SELECT id FROM audit.events WHERE occurred_at >= $1::timestamptz - interval '1 hour' AND occurred_at < $1::timestamptz ORDER BY id + 0 DESC LIMIT 51`, [to]);
    await c.query('BEGIN');
    await c.query('SET LOCAL enable_indexscan = off');
    await c.query('SET LOCAL enable_seqscan = off');
    const earlier = await timed(`SELECT id FROM audit.events WHERE occurred_at < $1::timestamptz - interval '1 hour' AND id > $2 ORDER BY id DESC LIMIT 51`, [to, hour.ids.at(-1)]);
    await c.query('ROLLBACK');
    const page = [...hour.ids, ...earlier.ids].sort((a, b) => Number(b) - Number(a)).slice(0, 51);
    console.log(`to=${to}: walk ${walk.ms.toFixed(0)} ms; last hour ${hour.ms.toFixed(1)} ms + earlier with a higher id ${earlier.ms.toFixed(1)} ms (${earlier.ids.length} rows); same page: ${JSON.stringify(page) === JSON.stringify(walk.ids)}`);
  }
} finally {
  await c.query('DROP INDEX IF EXISTS audit.events_p20261101_id_brin');
  await c.end();
  await server.stop();
}
