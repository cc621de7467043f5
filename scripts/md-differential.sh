#!/usr/bin/env bash
# Differential test of ferrochat-md against the real @rocket.chat/message-parser 0.32.0.
# Run from the repository root. Needs node + npm (network access to the npm registry).
# Env: MD_DIFF_N (inputs per option set, default 1500), MD_DIFF_SEED (default 42),
#      MD_DIFF_SHOW (differences to print, default 10), CARGO_TARGET_DIR (respected).
set -euo pipefail
ROOT="$(pwd)"
N="${MD_DIFF_N:-1500}"
SEED="${MD_DIFF_SEED:-42}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "md-differential: installing @rocket.chat/message-parser@0.32.0 into $WORK"
(cd "$WORK" && npm init -y >/dev/null 2>&1 &&
  npm install --silent --no-audit --no-fund --ignore-scripts @rocket.chat/message-parser@0.32.0 >/dev/null 2>&1)

echo "md-differential: building the candidate"
cargo build --quiet -p ferrochat-md --example md_jsonl
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/debug/examples/md_jsonl"

node "$ROOT/scripts/md/gen-inputs.js" --seed "$SEED" --n "$N" >"$WORK/in.jsonl"
MP_NODE_MODULES="$WORK/node_modules" TZ=UTC node "$ROOT/scripts/md/oracle.js" <"$WORK/in.jsonl" >"$WORK/expected.jsonl"
"$BIN" <"$WORK/in.jsonl" >"$WORK/got.jsonl"
node "$ROOT/scripts/md/compare.js" "$WORK/in.jsonl" "$WORK/expected.jsonl" "$WORK/got.jsonl"
