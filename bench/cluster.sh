#!/usr/bin/env bash
# Two instances vs one on PostgreSQL (events over NATS): seed-endpoint req/s for an existing
# room, rooms created/s, visitor messages/s. Each configuration gets a fresh database and
# the same 64 client connections in total (one wrk per instance, run at once, summed).
# Usage: bash bench/cluster.sh [duration-seconds]   (results: docs/benchmarks.md)
# Env: PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432), NATS_URL.
#      PERF_OUT=DIR: record each instance with `perf record -e cpu-clock --call-graph dwarf`
#      during each write phase (DIR/perf.<instances>.<instance>.<phase>.data; read them with
#      `perf report -i FILE --no-children` or `--children`).
#      FERROCHAT_BIN: this binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
PG=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}
NATS=${NATS_URL:-nats://127.0.0.1:4222}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
if [ -z "${FERROCHAT_BIN:-}" ]; then cargo build --release -p ferrochat -q; fi
BIN=${FERROCHAT_BIN:-target/release/ferrochat}
DIR=$(mktemp -d)
PIDS=()
DBS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for d in "${DBS[@]}"; do psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# wrk_all LABEL ARGS...: one wrk per instance at once (64 connections split evenly);
# prints the summed requests/s and non-2xx count. "{H}" in ARGS is the instance URL,
# "{I}" its index.
wrk_all() {
  local label=$1; shift
  local n=${#PORTS[@]} i=0 pids=()
  for p in "${PORTS[@]}"; do
    local args=("${@//\{H\}/http://127.0.0.1:$p}")
    args=("${args[@]//\{I\}/$i}")
    TOKEN_PREFIX="b$i" wrk -t$((2 / n)) -c$((64 / n)) -d"${DUR}s" "${args[@]}" >"$DIR/wrk.$i" 2>&1 &
    pids+=($!); i=$((i + 1))
  done
  wait "${pids[@]}"
  cat "$DIR"/wrk.* | awk -v label="$label" -v n="$n" '
    /Requests\/sec/ {rps += $2}
    /Non-2xx/ {bad += $NF}
    /non-200 responses/ {bad += $NF}
    END {printf "%s: %.0f req/s over %d instance(s), non-2xx: %d\n", label, rps, n, bad}'
  rm -f "$DIR"/wrk.*
}

# prof_start PHASE / prof_stop: perf on every instance of this run while a phase runs.
PERFS=()
prof_start() {
  [ -n "${PERF_OUT:-}" ] || return 0
  mkdir -p "$PERF_OUT"
  local i=0
  for p in "${PIDS[@]}"; do
    i=$((i + 1))
    perf record -q -e cpu-clock -F 499 --call-graph dwarf,32768 -p "$p" \
      -o "$PERF_OUT/perf.${#PIDS[@]}.$i.$1.data" >/dev/null 2>&1 &
    PERFS+=($!)
  done
  # The whole machine (which process has the CPU: instances, PostgreSQL, NATS, wrk) ...
  perf record -q -a -e cpu-clock -F 199 -o "$PERF_OUT/perf.${#PIDS[@]}.all.$1.data" >/dev/null 2>&1 &
  PERFS+=($!)
  # ... and what PostgreSQL's sessions of this database wait for, sampled every 20 ms.
  (while :; do
    psql "$PG/$DB" -qAtc "SELECT coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, '-') || ':' || state
      FROM pg_stat_activity WHERE datname = '$DB' AND pid <> pg_backend_pid()" 2>/dev/null
    sleep 0.02
  done >"$PERF_OUT/pgwait.${#PIDS[@]}.$1.txt") &
  SAMPLER=$!
  sleep 0.5
}
prof_stop() {
  [ -n "${PERF_OUT:-}" ] || return 0
  kill "$SAMPLER" 2>/dev/null || true
  for p in "${PERFS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${PERFS[@]}"; do wait "$p" 2>/dev/null || true; done
  PERFS=()
}

run() {
  local n=$1
  DB=ferrochat_bench_${n}_$$
  DBS+=("$DB")
  psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
  PORTS=()
  for i in $(seq "$n"); do
    local port
    port=$(free_port)
    DATABASE_URL="$PG/$DB" NATS_URL="$NATS" NATS_SUBJECT_PREFIX="bench-$$-$n" INSTANCE_ID="i$i" \
      PORT=$port BIND_IP=127.0.0.1 ADMIN_USERNAME=admin ADMIN_PASS=admin BCRYPT_COST=4 \
      TEST_MODE=true RUST_LOG=warn "$BIN" >"$DIR/server.$n.$i.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
    PORTS+=("$port")
  done
  local H=http://127.0.0.1:${PORTS[0]}
  local LOGIN AUTH
  LOGIN=$(curl -sf -XPOST "$H/api/v1/login" -H 'content-type: application/json' -d '{"user":"admin","password":"admin"}')
  AUTH=(-H "x-user-id: $(echo "$LOGIN" | json "['data']['userId']")" -H "x-auth-token: $(echo "$LOGIN" | json "['data']['authToken']")" -H 'content-type: application/json')
  for a in agent1 agent2 agent3; do
    curl -sf "${AUTH[@]}" -XPOST "$H/api/v1/users.create" -d "{\"username\":\"$a\",\"email\":\"$a@bench.local\",\"password\":\"p\",\"name\":\"$a\"}" >/dev/null
    curl -sf "${AUTH[@]}" -XPOST "$H/api/v1/livechat/users/agent" -d "{\"username\":\"$a\"}" >/dev/null
    local L A
    L=$(curl -sf -XPOST "$H/api/v1/login" -H 'content-type: application/json' -d "{\"user\":\"$a\",\"password\":\"p\"}")
    A=(-H "x-user-id: $(echo "$L" | json "['data']['userId']")" -H "x-auth-token: $(echo "$L" | json "['data']['authToken']")" -H 'content-type: application/json')
    curl -sf "${A[@]}" -XPOST "$H/api/v1/users.setStatus" -d '{"status":"online"}' >/dev/null
    curl -sf "${A[@]}" -XPOST "$H/api/v1/livechat/agent.status" -d '{"status":"available"}' >/dev/null
  done
  curl -sf -XPOST "$H/api/v1/livechat/visitor" -H 'content-type: application/json' -d '{"visitor":{"token":"existing"}}' >/dev/null
  curl -sf "$H/api/v1/livechat/room?token=existing" >/dev/null
  sql() { psql "$PG/$DB" -tAc "$1"; }

  echo "=== $n instance(s) on PostgreSQL + NATS, ${DUR}s per phase, 64 connections in all"
  wrk_all "GET /api/v1/livechat/room (existing room)" "{H}/api/v1/livechat/room?token=existing"
  wrk_all "POST /api/v1/livechat/visitor (fresh tokens)" -s bench/visitors.lua "{H}"
  local before after start end
  prof_start rooms
  before=$(sql 'SELECT COUNT(*) FROM rooms'); start=$(date +%s.%N)
  wrk_all "GET /api/v1/livechat/room (creating rooms)" -s bench/rooms.lua "{H}"
  end=$(date +%s.%N); after=$(sql 'SELECT COUNT(*) FROM rooms')
  prof_stop
  python3 -c "print(f'rooms created: {$after - $before} in {$end - $start:.1f}s = {($after - $before) / ($end - $start):.0f} rooms/s')"
  python3 bench/setup_rooms.py 127.0.0.1 "${PORTS[0]}" 1000 > "$DIR/rooms.txt"
  prof_start messages
  before=$(sql 'SELECT COUNT(*) FROM messages WHERE t IS NULL'); start=$(date +%s.%N)
  ROOMS_FILE="$DIR/rooms.txt" wrk_all "POST /api/v1/livechat/message (1,000 open rooms)" -s bench/messages.lua "{H}"
  end=$(date +%s.%N); after=$(sql 'SELECT COUNT(*) FROM messages WHERE t IS NULL')
  prof_stop
  python3 -c "print(f'messages stored: {$after - $before} in {$end - $start:.1f}s = {($after - $before) / ($end - $start):.0f} msg/s')"
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  PIDS=()
}

run 1
run 2
