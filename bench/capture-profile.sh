#!/usr/bin/env bash
# Where the time of one audited one-row statement goes (the floor study behind capture v2):
# a PostgreSQL 15 cluster with pg_stat_statements (track = all, so statements inside the trigger
# are timed too) and track_functions = all; pgbench with one client runs one-row INSERTs (b) and
# one-row UPDATEs into bench_t audited by pgtrail, then direct one-row INSERTs into audit.events
# and into copies of it without indexes, unpartitioned, or with 3 of its indexes.
# Not a benchmark of throughput: single client, per-call microseconds; run on an idle machine.
#   bash bench/capture-profile.sh            (as root; about 2 minutes)
#   TRACK_PLANNING=1 bash bench/capture-profile.sh   (also pg_stat_statements.track_planning: how often
#                                             each statement inside the trigger was planned, and how long)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=/usr/lib/postgresql/15/bin
DIR=$(mktemp -d /tmp/pgtrail-profile.XXXXXX); chown postgres "$DIR"
PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
trap 'runuser -u postgres -- $BIN/pg_ctl -D $DIR/data -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
runuser -u postgres -- $BIN/initdb -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses='127.0.0.1'
port=$PORT
unix_socket_directories='$DIR'
shared_buffers=1GB
max_wal_size=8GB
checkpoint_timeout=30min
shared_preload_libraries='pg_stat_statements'
pg_stat_statements.track=all
track_functions=all
CONF
if [ "${TRACK_PLANNING:-}" = 1 ]; then echo 'pg_stat_statements.track_planning=on' >>"$DIR/data/postgresql.conf"; fi
runuser -u postgres -- $BIN/pg_ctl -D "$DIR/data" -l "$DIR/log" -w start >/dev/null
URL="postgres://postgres@127.0.0.1:$PORT/postgres"
P="$BIN/psql -X -q -At $URL"
PGTRAIL_PROFILE_URL=$URL npx tsx bench/lib/profile-setup.ts
cat >"$DIR/ins.pgbench" <<'SQL'
\set n random(1, 100000000)
INSERT INTO bench_t (n, name, payload, amount, flag, note, ref, score) VALUES (:n, 'name-' || :n, jsonb_build_object('k', :n, 'tags', jsonb_build_array('a', 'b', 'c'), 'nested', jsonb_build_object('x', :n % 97, 'y', md5(:n::text))), (:n % 100000) / 100.0, :n % 2 = 0, repeat('x', 40), gen_random_uuid(), random());
SQL
cat >"$DIR/upd.pgbench" <<'SQL'
\set id random(1, 100000)
UPDATE bench_t SET n = n + 1 WHERE id = :id;
SQL
run() { # name script
  $P -c "SELECT pg_stat_statements_reset(), pg_stat_reset()" >/dev/null
  $BIN/pgbench -n -h 127.0.0.1 -p "$PORT" -U postgres -c 1 -j 1 -T 6 -f "$2" postgres >/dev/null 2>&1
  echo "== $1"
  local planning=""
  if [ "${TRACK_PLANNING:-}" = 1 ]; then planning="calls, plans, round(mean_plan_time::numeric * 1000, 1) AS plan_us, "; fi
  $P -F ' | ' -c "SELECT $planning round(total_exec_time::numeric / calls * 1000, 1) AS us_per_call, left(regexp_replace(query, '\s+', ' ', 'g'), 90)
                     FROM pg_stat_statements WHERE calls > 1000 ORDER BY total_exec_time DESC LIMIT 4"
  $P -F ' | ' -c "SELECT round((total_time / calls * 1000)::numeric, 1) AS us_total, round((self_time / calls * 1000)::numeric, 1) AS us_self, funcname
                     FROM pg_stat_user_functions WHERE calls > 1000 ORDER BY total_time DESC"
}
run "one-row INSERT, audited" "$DIR/ins.pgbench"
run "one-row UPDATE, audited" "$DIR/upd.pgbench"
for t in events events_unindexed events_unpartitioned_unindexed events_three_indexes events_unpartitioned_indexed; do
  cat >"$DIR/direct.pgbench" <<SQL
\set n random(1, 100000000)
INSERT INTO audit.$t (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name, ip, db_user, app_name, new_data) VALUES (statement_timestamp(), txid_current(), 'insert', 'public.bench_t', :n::text, 'db_role', 'postgres', 'postgres', inet_client_addr(), 'postgres', 'pgbench', jsonb_build_object('k', :n, 'name', 'name-' || :n, 'note', repeat('x', 40)));
SQL
  run "direct one-row INSERT into audit.$t" "$DIR/direct.pgbench"
done
