#!/usr/bin/env bash
# The real client libraries against the running binary: @rocket.chat/sdk 1.0.0-alpha.42 (its
# Livechat class, what the widget bundles) and @rocket.chat/ddp-client 1.1.2 (the newer
# LivechatClientImpl), installed from npm with exact pins into a scratch folder.
# Usage (repository root): bash scripts/client-tests.sh   [FERROCHAT_BIN=path/to/ferrochat]
set -euo pipefail
ROOT="$(pwd)"
WORK="$(mktemp -d)"
PORT="${CLIENT_TEST_PORT:-3950}"
URL="http://127.0.0.1:$PORT"
BIN="${FERROCHAT_BIN:-}"
if [ -z "$BIN" ]; then
  cargo build --quiet -p ferrochat
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/ferrochat"
fi
cp "$ROOT/tests/clients/package.json" "$ROOT"/tests/clients/*.js "$WORK/"
(cd "$WORK" && npm install --silent --ignore-scripts --no-audit --no-fund >/dev/null 2>&1)

TEST_MODE=true DATABASE_URL=sqlite::memory: PORT="$PORT" BIND_IP=127.0.0.1 ADMIN_USERNAME=admin \
  ADMIN_PASS=admin BCRYPT_COST=4 RUST_LOG=warn "$BIN" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -sf "$URL/api/info" >/dev/null && break; sleep 0.1; done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
LOGIN=$(curl -sf -XPOST "$URL/api/v1/login" -H 'content-type: application/json' -d '{"user":"admin","password":"admin"}')
AUTH=(-H "x-user-id: $(echo "$LOGIN" | json "['data']['userId']")" -H "x-auth-token: $(echo "$LOGIN" | json "['data']['authToken']")" -H 'content-type: application/json')
curl -sf "${AUTH[@]}" -XPOST "$URL/api/v1/users.create" -d '{"username":"agent.smith","email":"smith@clients.test","password":"p","name":"Agent Smith"}' >/dev/null
curl -sf "${AUTH[@]}" -XPOST "$URL/api/v1/livechat/users/agent" -d '{"username":"agent.smith"}' >/dev/null
ALOGIN=$(curl -sf -XPOST "$URL/api/v1/login" -H 'content-type: application/json' -d '{"user":"agent.smith","password":"p"}')
export AGENT_ID=$(echo "$ALOGIN" | json "['data']['userId']")
export AGENT_TOKEN=$(echo "$ALOGIN" | json "['data']['authToken']")
curl -sf -XPOST "$URL/api/v1/users.setStatus" -H "x-user-id: $AGENT_ID" -H "x-auth-token: $AGENT_TOKEN" \
  -H 'content-type: application/json' -d '{"status":"online"}' >/dev/null
export FERROCHAT_URL="$URL"

status=0
for script in sdk-session.js ddp-session.js; do
  echo "== $script"
  (cd "$WORK" && timeout 60 node "$script") || status=1
done
exit $status
