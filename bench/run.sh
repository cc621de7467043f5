#!/usr/bin/env bash
# Benchmarks the release binary with wrk (64 connections), on a fresh SQLite database and then
# on a fresh PostgreSQL schema, one store after the other in one run.
# Usage: bash bench/run.sh [duration-seconds]   (results go to stdout; see docs/benchmarks.md)
#        BENCH_ONLY=conversation bash bench/run.sh   (only the message and history phases)
#        BENCH_STORES=sqlite bash bench/run.sh      (one store; default "sqlite postgres")
#        BENCH_PG_URL=postgres://user@host:5432/db  (default postgres://postgres@127.0.0.1:5432/test)
#        BENCH_BIN=/path/to/ferrochat bash bench/run.sh   (that binary, not a fresh release build:
#                                                         two builds compared in one session)
set -euo pipefail
source "$(dirname "$0")/agents.sh"
cd "$(dirname "$0")/.."
DUR=${1:-15}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3; }
BIN=${BENCH_BIN:-target/release/ferrochat}
[ -n "${BENCH_BIN:-}" ] || cargo build --release -p ferrochat -q
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}

bench_store() {
STORE=$1
echo "######## store: $STORE"
DIR=$(mktemp -d)
PORT=${BENCH_PORT:-3900}
H=http://127.0.0.1:$PORT
if [ "$STORE" = postgres ]; then
  # A fresh schema of its own, dropped at the end.
  SCHEMA=bench_$$
  psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE; CREATE SCHEMA $SCHEMA"
  DB_URL="$PG_URL?options=-c%20search_path%3D$SCHEMA"
  sql() { PGOPTIONS="-c search_path=$SCHEMA" psql "$PG_URL" -Atc "$1"; }
  cleanup() { psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE"; }
else
  DB_URL="sqlite://$DIR/bench.db${BENCH_DB_QUERY:-}"
  sql() { sqlite3 "$DIR/bench.db" "$1"; }
  cleanup() { :; }
fi
# TEST_MODE turns upstream's per-IP rate limiter off, as it must be for a load test.
TEST_MODE=true DATABASE_URL="$DB_URL" PORT=$PORT BIND_IP=127.0.0.1 \
  ADMIN_USERNAME=admin ADMIN_PASS=admin BCRYPT_COST=4 RUST_LOG=warn "$BIN" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; cleanup; rm -rf "$DIR"' EXIT
for _ in $(seq 50); do curl -sf "$H/api/info" >/dev/null && break; sleep 0.1; done

# The server's CPU time so far (user + system, seconds): per phase, CPU per request is a
# figure the machine's noise moves less than throughput.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$PID/stat"; }
bench_agents "$H"
curl -sf -XPOST "$H/api/v1/livechat/visitor" -H 'content-type: application/json' -d '{"visitor":{"token":"existing"}}' >/dev/null
curl -sf "$H/api/v1/livechat/room?token=existing" >/dev/null

if [ "${BENCH_ONLY:-all}" != conversation ]; then
echo "== GET /api/info (64 connections, ${DUR}s)"
wrk -t2 -c64 -d"${DUR}s" --latency "$H/api/info"
echo "== GET /api/v1/livechat/room for an existing room (64 connections, ${DUR}s)"
wrk -t2 -c64 -d"${DUR}s" --latency "$H/api/v1/livechat/room?token=existing"
echo "== POST /api/v1/livechat/visitor, fresh tokens (64 connections, $((DUR * 2))s)"
wrk -t2 -c64 -d"$((DUR * 2))s" --latency -s bench/visitors.lua "$H"
echo "== GET /api/v1/livechat/room creating rooms for those visitors (64 connections, ${DUR}s)"
BEFORE=$(sql 'SELECT COUNT(*) FROM rooms')
START=$(date +%s.%N); CPU0=$(cpu)
wrk -t2 -c64 -d"${DUR}s" --latency -s bench/rooms.lua "$H"
END=$(date +%s.%N); CPU1=$(cpu)
AFTER=$(sql 'SELECT COUNT(*) FROM rooms')
python3 -c "print(f'rooms created: {$AFTER - $BEFORE} in {$END - $START:.1f}s = {($AFTER - $BEFORE) / ($END - $START):.0f} rooms/s; server CPU {($CPU1 - $CPU0) * 1e6 / max($AFTER - $BEFORE, 1):.0f} µs/room')"
sql "SELECT 'served by ' || served_by || ': ' || COUNT(*) FROM rooms GROUP BY served_by"
fi

echo "== POST /api/v1/livechat/message over 1,000 open rooms (64 connections, ${DUR}s)"
python3 bench/setup_rooms.py 127.0.0.1 "$PORT" 1000 > "$DIR/rooms.txt"
BEFORE=$(sql 'SELECT COUNT(*) FROM messages WHERE t IS NULL')
START=$(date +%s.%N); CPU0=$(cpu)
ROOMS_FILE="$DIR/rooms.txt" wrk -t2 -c64 -d"${DUR}s" --latency -s bench/messages.lua "$H"
END=$(date +%s.%N); CPU1=$(cpu)
AFTER=$(sql 'SELECT COUNT(*) FROM messages WHERE t IS NULL')
python3 -c "print(f'messages stored: {$AFTER - $BEFORE} in {$END - $START:.1f}s = {($AFTER - $BEFORE) / ($END - $START):.0f} msg/s; server CPU {($CPU1 - $CPU0) * 1e6 / max($AFTER - $BEFORE, 1):.0f} µs/message')"

echo "== GET /api/v1/livechat/messages.history on a room of 10,000 messages (64 connections, ${DUR}s)"
read -r HTOKEN HRID < <(python3 bench/setup_rooms.py 127.0.0.1 "$PORT" 1 10000)
sql "SELECT 'messages in that room: ' || COUNT(*) FROM messages WHERE rid = '$HRID'"
wrk -t2 -c64 -d"${DUR}s" --latency "$H/api/v1/livechat/messages.history/$HRID?token=$HTOKEN"
kill $PID; wait $PID 2>/dev/null || true
cleanup
rm -rf "$DIR"
trap - EXIT
}

for store in ${BENCH_STORES:-sqlite postgres}; do
  bench_store "$store"
done
