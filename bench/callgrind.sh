#!/usr/bin/env bash
# Instructions per request, phase by phase, on SQLite: the release binary under callgrind (which
# counts instructions, not seconds, so the figures repeat on a busy machine), driven serially by
# bench/callgrind_workload.py. Usage: bash bench/callgrind.sh [BINARY] [N]   (default N = 200)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
BIN=${1:-}
if [ -z "$BIN" ]; then cargo build --release -p ferrochat -q; BIN=target/release/ferrochat; fi
N=${2:-200}
OUT=$(mktemp -d); DIR=$(mktemp -d); PORT=$((40000 + RANDOM % 20000))
TEST_MODE=true DATABASE_URL="sqlite://$DIR/b.db" PORT=$PORT BIND_IP=127.0.0.1 ADMIN_USERNAME=admin \
  ADMIN_PASS=admin BCRYPT_COST=4 RUST_LOG=warn \
  valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.%p" "$BIN" > "$OUT/server.log" 2>&1 &
VPID=$!
trap 'kill $VPID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/api/info" >/dev/null && break; sleep 0.5; done
python3 bench/callgrind_workload.py "$PORT" "$VPID" "$N"
kill $VPID; wait $VPID 2>/dev/null || true
i=0
for phase in "visitors $N" "rooms $N" "messages $((5 * N))" "history $((5 * N))" "seed $((5 * N))"; do
  i=$((i + 1)); set -- $phase
  ir=$(grep -m1 '^summary:' "$OUT"/cg.*."$i" | awk '{print $2}')
  printf "%-9s %7d requests %14d instructions %10d per request\n" "$1" "$2" "$ir" $((ir / $2))
done
echo "profiles (callgrind_annotate --inclusive=yes FILE): $OUT"
