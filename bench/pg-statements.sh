#!/usr/bin/env bash
# Where a room's time goes on PostgreSQL: registers visitors, then creates rooms for them with
# wrk (64 connections, 4 s) while sqlx logs every statement, and prints each statement's
# count, mean and median time as the server saw it (wire round trip included).
# Usage: bash bench/pg-statements.sh   (BENCH_BIN=/path/to/ferrochat: that binary;
#        BENCH_PG_URL as in bench/run.sh)
set -euo pipefail
source "$(dirname "$0")/agents.sh"
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
BIN=${BENCH_BIN:-target/release/ferrochat}
[ -n "${BENCH_BIN:-}" ] || cargo build --release -p ferrochat -q
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}
SCHEMA=stmts_$$
DIR=$(mktemp -d)
psql "$PG_URL" -qc "CREATE SCHEMA $SCHEMA"
DB_URL="$PG_URL?options=-c%20search_path%3D$SCHEMA"
PORT=${BENCH_PORT:-3978}
H=http://127.0.0.1:$PORT
PID=
cleanup() {
  [ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  PGOPTIONS="-c client_min_messages=warning" psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE"
  rm -rf "$DIR"
}
trap cleanup EXIT
serve() {
  TEST_MODE=true DATABASE_URL="$DB_URL" PORT=$PORT BIND_IP=127.0.0.1 ADMIN_USERNAME=admin \
    ADMIN_PASS=admin BCRYPT_COST=4 RUST_LOG="$1" "$BIN" >> "$DIR/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 50); do curl -sf "$H/api/info" >/dev/null && break; sleep 0.1; done
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=; }

serve warn
bench_agents "$H"
echo "== visitors"
wrk -t2 -c64 -d6s -s bench/visitors.lua "$H" | grep Requests
stop
# The agents' presence is kept in the database: the restarted server routes to them.
serve warn,sqlx::query=debug
echo "== rooms (statements logged)"
wrk -t2 -c64 -d4s -s bench/rooms.lua "$H" | grep Requests
stop
python3 - "$DIR/server.log" <<'PY'
import collections, re, sys
times = collections.defaultdict(list)
for line in open(sys.argv[1]):
    m = re.search(r'summary="([^"]*)".*elapsed_secs=([0-9.e-]+)', line)
    if m:
        times[m.group(1)[:60]].append(float(m.group(2)) * 1e6)
for k, v in sorted(times.items(), key=lambda kv: -sum(kv[1]))[:20]:
    v.sort()
    print(f"{len(v):7d}  mean {sum(v) / len(v):8.0f} µs  p50 {v[len(v) // 2]:8.0f} µs  {k}")
PY
