#!/usr/bin/env bash
# The API document against the server (issue 17): schemathesis reads /api/openapi.json from the
# release binary and sends generated requests (valid and invalid) to every operation, as the
# admin, checking that no answer is a server error and that each answer's status, media type
# and body are the ones the document gives. Fails on any finding, and on a panic in the log.
#   bash scripts/api-schema-check.sh            [FERROCHAT_BIN=path] [API_CHECK_EXAMPLES=n]
# schemathesis is pip-installed (exact pin) into a venv under target/, never system-wide.
# Run by .ci/run after the upstream e2e step.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
SCHEMATHESIS=4.32.5
EXAMPLES=${API_CHECK_EXAMPLES:-25}

# The release binary, built (or brought up to date: a no-op after CI's earlier steps) unless
# FERROCHAT_BIN names one.
BIN=${FERROCHAT_BIN:-}
if [ -z "$BIN" ]; then
  (cd "$ROOT" && cargo build --release --quiet -p ferrochat)
  BIN="$TARGET/release/ferrochat"
fi

VENV="$TARGET/schemathesis-venv"
if [ ! -x "$VENV/bin/st" ] || [ "$("$VENV/bin/st" --version 2>/dev/null)" != "st, version $SCHEMATHESIS" ] ||
  [ ! -e "$VENV/ferrochat-ready" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS"
  # CPython 3.11's `ast.parse` can fail with "SystemError: AST constructor recursion depth
  # mismatch" when called deep in a stack (hypothesis parses its own source there to name a
  # filter); the same parse on a fresh thread's stack succeeds. Only the tool is patched.
  site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  cat >"$site/ferrochat_ast_parse.py" <<'PY'
import ast
import threading

_parse = ast.parse


def parse(*args, **kwargs):
    try:
        return _parse(*args, **kwargs)
    except SystemError:
        out = {}

        def run():
            try:
                out["tree"] = _parse(*args, **kwargs)
            except BaseException as e:  # re-raised on the caller's thread
                out["error"] = e

        t = threading.Thread(target=run)
        t.start()
        t.join()
        if "error" in out:
            raise out["error"]
        return out["tree"]


ast.parse = parse
PY
  echo "import ferrochat_ast_parse" >"$site/ferrochat_ast_parse.pth"
  touch "$VENV/ferrochat-ready"
fi

WORK=$(mktemp -d)
OUT="$TARGET/api-schema-check"
rm -rf "$OUT" && mkdir -p "$OUT"
PID=""
cleanup() {
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
# Stand-ins for the widget's and the agent workspace's builds (what is checked is the server's
# answers, not those files; without them the pages answer 503 by design).
mkdir -p "$WORK/widget" "$WORK/agent/assets"
printf '<!doctype html><html><head></head><body><div id="app"></div></body></html>\n' >"$WORK/widget/index.html"
printf 'console.log("widget");\n' >"$WORK/widget/rocketchat-livechat.min.js"
printf '<!doctype html><html><head></head><body><div id="app"></div></body></html>\n' >"$WORK/agent/index.html"
printf 'console.log("agent");\n' >"$WORK/agent/assets/app.js"
# A fresh SQLite file; TEST_MODE lifts the per-IP rate limiter (schemathesis sends thousands
# of requests from one address).
DATABASE_URL="sqlite://$WORK/ferrochat.db" FILE_UPLOAD_PATH="$WORK/uploads" PORT="$PORT" \
  BIND_IP=127.0.0.1 TEST_MODE=true ADMIN_USERNAME=admin ADMIN_PASS=admin \
  ADMIN_EMAIL=admin@example.com BCRYPT_COST=4 RUST_LOG=warn \
  LIVECHAT_WIDGET_DIR="$WORK/widget" AGENT_APP_DIR="$WORK/agent" \
  RUST_BACKTRACE=1 "$BIN" >"$OUT/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  curl -sf "$BASE/health" >/dev/null && break
  sleep 0.1
done
curl -sf "$BASE/health" >/dev/null || { echo "api-schema-check: the server did not start" >&2; cat "$OUT/server.log" >&2; exit 1; }

read -r USER_ID TOKEN < <(curl -sf -H 'content-type: application/json' \
  -d '{"user":"admin","password":"admin"}' "$BASE/api/v1/login" |
  python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d["userId"], d["authToken"])')

CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
run() { # label, then schemathesis's filter options
  local label=$1
  shift
  # schemathesis keeps a cache in its working directory: the work folder, not the checkout.
  cd "$WORK"
  echo "== schemathesis ($label): $EXAMPLES examples per operation"
  "$VENV/bin/st" run "$BASE/api/openapi.json" --url "$BASE" \
    --checks "$CHECKS" --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" \
    --seed 17 --workers 2 --request-timeout 20 --no-color \
    -H "X-User-Id: $USER_ID" -H "X-Auth-Token: $TOKEN" \
    --suppress-health-check all --report junit --report-junit-path "$OUT/$label.xml" "$@"
}
status=0
# Logging out ends the admin's session, after which every request would only test the 401
# answer: it runs last, on its own. Every other operation runs first, destructive ones
# included (they get random ids, so they delete or change nothing the run relies on).
run all --exclude-path /api/v1/logout || status=$?
run logout --include-path /api/v1/logout || status=$?

if grep -n "panicked" "$OUT/server.log"; then
  echo "api-schema-check: the server panicked (log: $OUT/server.log)" >&2
  status=1
fi
[ "$status" = 0 ] && echo "api-schema-check: no findings"
exit "$status"
