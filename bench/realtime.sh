#!/usr/bin/env bash
# Realtime load: N visitor sockets subscribed to their rooms, agent replies at a fixed rate,
# delivery latency and the server's memory. Usage: bash bench/realtime.sh SOCKETS RATE SECONDS
#        BENCH_BIN=/path/to/ferrochat bash bench/realtime.sh ...   (that server binary: two builds
#                                                                  compared in one session)
set -euo pipefail
cd "$(dirname "$0")/.."
SOCKETS=${1:-10000}
RATE=${2:-2000}
SECONDS_=${3:-10}
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"
cargo build --release -q -p ferrochat -p ferrochat-load
BIN=${BENCH_BIN:-target/release/ferrochat}
DIR=$(mktemp -d)
PORT=${BENCH_PORT:-3960}
TEST_MODE=true DATABASE_URL="sqlite://$DIR/rt.db" PORT=$PORT BIND_IP=127.0.0.1 ADMIN_USERNAME=admin \
  ADMIN_PASS=admin BCRYPT_COST=4 RUST_LOG=warn "$BIN" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/api/info" >/dev/null && break; sleep 0.1; done
echo "server RSS at start: $(awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' /proc/$PID/status)"
target/release/ferrochat-load --url "http://127.0.0.1:$PORT" --sockets "$SOCKETS" --rate "$RATE" \
  --seconds "$SECONDS_" --sources 16 --pid "$PID"
