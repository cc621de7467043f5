#!/usr/bin/env bash
# The multi-instance check (issue 7): two release `ferrochat` processes on their own ports
# sharing a fresh PostgreSQL database and NATS, driven by `ferrochat-cluster-check`
# (realtime across instances, 500 racing get-or-create calls, 200 rooms under a chat limit,
# instance A killed with SIGKILL mid-load). Stops everything it started.
#   bash scripts/multi-instance.sh
# Env: PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432), NATS_URL (default
# nats://127.0.0.1:4222), PROFILE (release|debug), DATABASE_URL_OVERRIDE (use this database
# as it is instead of creating one).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}
NATS=${NATS_URL:-nats://127.0.0.1:4222}
PROFILE=${PROFILE:-release}
PRESENCE_TIMEOUT=3
if [ "$PROFILE" = release ]; then
  cargo build --release -q -p ferrochat -p ferrochat-load
else
  cargo build -q -p ferrochat -p ferrochat-load
fi
BIN=target/$PROFILE
DIR=$(mktemp -d)
PIDS=()
DB=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$DB" ]; then
    psql "$PG_ADMIN_URL/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT
if [ -n "${DATABASE_URL_OVERRIDE:-}" ]; then
  URL=$DATABASE_URL_OVERRIDE
else
  DB=ferrochat_multi_$(date +%s)_$$
  psql "$PG_ADMIN_URL/postgres" -qc "CREATE DATABASE $DB" >/dev/null
  URL="$PG_ADMIN_URL/$DB"
fi
PREFIX=ferrochat-multi-$$-$(date +%s)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start() { # name port → pid
  DATABASE_URL="$URL" NATS_URL="$NATS" NATS_SUBJECT_PREFIX="$PREFIX" INSTANCE_ID="$1" \
    PRESENCE_TIMEOUT=$PRESENCE_TIMEOUT PORT="$2" BIND_IP=127.0.0.1 TEST_MODE=true \
    ADMIN_USERNAME=admin ADMIN_PASS=admin BCRYPT_COST=4 RUST_LOG=${RUST_LOG:-warn,ferrochat=info} \
    "$BIN/ferrochat" >"$DIR/$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$2/health" >/dev/null && return 0
    sleep 0.1
  done
  echo "instance $1 did not start:"; cat "$DIR/$1.log"; exit 1
}
PORT_A=$(free_port); start a "$PORT_A"; PID_A=${PIDS[0]}
PORT_B=$(free_port); start b "$PORT_B"
echo "A: pid $PID_A port $PORT_A; B: port $PORT_B; database $URL; NATS $NATS ($PREFIX)"
status=0
"$BIN/ferrochat-cluster-check" --a "http://127.0.0.1:$PORT_A" --b "http://127.0.0.1:$PORT_B" \
  --kill-pid "$PID_A" --presence-timeout "$PRESENCE_TIMEOUT" || status=$?
if [ "$status" != 0 ]; then
  echo "== instance a log"; tail -n 50 "$DIR/a.log"; echo "== instance b log"; tail -n 50 "$DIR/b.log"
fi
echo "== instance b's cluster log lines"; grep -E "presence|NATS" "$DIR/b.log" | tail -n 5 || true
exit "$status"
