#!/usr/bin/env bash
# Idle DDP visitor sockets: SOCKETS visitors, each with a room, a WebSocket, DDP `connect` and a
# `stream-room-messages` subscription, held open by INSTANCES servers; then every server's
# resident memory is read from /proc with all the sockets idle.
# Usage: bash bench/sockets.sh SOCKETS [INSTANCES]     (results: docs/benchmarks.md, Realtime)
#   INSTANCES = 1: one server on a fresh SQLite file.
#   INSTANCES > 1: that many servers on a fresh PostgreSQL database, events over NATS
#                  (PG_ADMIN_URL, NATS_URL as in bench/cluster.sh), sockets spread evenly;
#                  with BENCH_STORE=sqlite, independent servers on a SQLite file each.
# A process may not hold more descriptors than the hard limit (`ulimit -Hn`; raising it needs
# CAP_SYS_RESOURCE), so the clients are spread over load processes of at most PER_LOADER sockets
# (default: the hard limit less 4,000) and over the source addresses 127.0.0.1-16.
# FERROCHAT_BIN / LOAD_BIN: use these binaries instead of building them.
set -euo pipefail
cd "$(dirname "$0")/.."
SOCKETS=${1:-10000}
N=${2:-1}
HARD=$(ulimit -Hn)
[ "$HARD" = unlimited ] && HARD=1048576
ulimit -n "$HARD"
PER=${PER_LOADER:-$((HARD - 4000))}
PG=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}
NATS=${NATS_URL:-nats://127.0.0.1:4222}
if [ -z "${FERROCHAT_BIN:-}" ] || [ -z "${LOAD_BIN:-}" ]; then
  cargo build --release -q -p ferrochat -p ferrochat-load
fi
BIN=${FERROCHAT_BIN:-target/release/ferrochat}
LOAD=${LOAD_BIN:-target/release/ferrochat-load}
DIR=$(mktemp -d)
DB=ferrochat_sockets_$$
PIDS=()
LPIDS=()
cleanup() {
  for p in "${LPIDS[@]}" "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${LPIDS[@]}" "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$N" -gt 1 ]; then psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$DIR"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

STORE=${BENCH_STORE:-postgres}
[ "$N" -eq 1 ] && STORE=sqlite
if [ "$STORE" = sqlite ]; then
  # Each instance on its own SQLite file (independent servers: no events between them).
  STORE_ENV=()
elif [ "$N" -gt 1 ]; then
  psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
  STORE_ENV=(DATABASE_URL="$PG/$DB" NATS_URL="$NATS" NATS_SUBJECT_PREFIX="sockets-$$" DATABASE_POOL_MAX=6)
fi
PORTS=()
for i in $(seq "$N"); do
  port=$(free_port)
  [ "$STORE" = sqlite ] && STORE_ENV=(DATABASE_URL="sqlite://$DIR/rt.$i.db")
  env "${STORE_ENV[@]}" INSTANCE_ID="i$i" PORT="$port" BIND_IP=127.0.0.1 ADMIN_USERNAME=admin \
    ADMIN_PASS=admin BCRYPT_COST=4 TEST_MODE=true RUST_LOG=warn "$BIN" >"$DIR/server.$i.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  PORTS+=("$port")
done
START_KIB=0
for p in "${PIDS[@]}"; do START_KIB=$((START_KIB + $(rss "$p"))); done
echo "$N server(s) started; RSS in all: $((START_KIB / 1024)) MiB; descriptor limit (hard): $HARD"

# Load processes: LOADERS of them, round robin over the instances.
# (a multiple of INSTANCES, so that every instance gets the same number of sockets)
LOADERS=$(((SOCKETS + PER - 1) / PER))
LOADERS=$(((LOADERS + N - 1) / N * N))
T0=$(date +%s.%N)
for j in $(seq 0 $((LOADERS - 1))); do
  n=$((SOCKETS / LOADERS + (j < SOCKETS % LOADERS ? 1 : 0)))
  port=${PORTS[$((j % N))]}
  "$LOAD" --url "http://127.0.0.1:$port" --sockets "$n" --rate 0 --hold 3600 --sources 16 \
    >"$DIR/load.$j.log" 2>&1 &
  LPIDS+=($!)
done
echo "$LOADERS load process(es), $SOCKETS sockets in all"
# Wait until every load process has all its sockets open and subscribed.
while :; do
  done_=$(cat "$DIR"/load.*.log | grep -c '^sockets: ' || true)
  [ "$done_" -ge "$LOADERS" ] && break
  for p in "${LPIDS[@]}"; do
    if ! kill -0 "$p" 2>/dev/null; then echo "a load process ended early:"; tail -5 "$DIR"/load.*.log; exit 1; fi
  done
  sleep 2
done
T1=$(date +%s.%N)
cat "$DIR"/load.*.log
sleep 5
TOTAL_KIB=0
i=0
for p in "${PIDS[@]}"; do
  i=$((i + 1))
  k=$(rss "$p")
  TOTAL_KIB=$((TOTAL_KIB + k))
  conns=$(($(ls "/proc/$p/fd" | wc -l)))
  echo "instance $i (pid $p): RSS $((k / 1024)) MiB, $conns open descriptors"
done
LOAD_KIB=0
for p in "${LPIDS[@]}"; do LOAD_KIB=$((LOAD_KIB + $(rss "$p"))); done
python3 - "$SOCKETS" "$N" "$START_KIB" "$TOTAL_KIB" "$LOAD_KIB" "$T0" "$T1" <<'EOF'
import sys
s, n, start, total, load, t0, t1 = map(float, sys.argv[1:])
print(f"{int(s):,} idle subscribed sockets on {int(n)} instance(s), set up in {t1 - t0:.0f}s: "
      f"servers' RSS {total / 1024:,.1f} MiB in all ({start / 1024:,.1f} MiB at start), "
      f"{(total - start) / s:.1f} KiB per socket; load processes' RSS {load / 1024:,.1f} MiB")
EOF
