#!/usr/bin/env bash
# Rocket.Chat's own livechat end-to-end API tests (tests/upstream-e2e: the 7.0 suite, MIT, unmodified) against the
# release binary in strict mode (upstream's helpers untouched). Fails when a test fails that is not in
# tests/upstream-e2e-deviations.txt, the reasoned list of deliberate differences.
# Then upstream's Enterprise tests of what Ferrochat gives freely (canned responses, tags), strictly.
#   bash scripts/upstream-e2e.sh [--bin PATH] [--json OUT]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="" JSON=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=$2; shift ;;
    --json) JSON=$2; shift ;;
    *) echo "usage: $0 [--bin PATH] [--json OUT]" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$BIN" ]; then
  (cd "$ROOT" && cargo build --release --quiet -p ferrochat)
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/ferrochat"
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
JSON=${JSON:-$OUT/results.json}
set +e
bash "$ROOT/tests/upstream-e2e/run.sh" "$BIN" --json "$JSON"
rc=$?
set -e
# 0: all passed, 1: some failed (judged below against the deviations); anything else: the harness broke.
[ "$rc" -le 1 ] || { echo "upstream-e2e: the runner failed (exit $rc)" >&2; exit "$rc"; }
node "$ROOT/scripts/upstream-e2e-check.js" "$JSON" "$ROOT/tests/upstream-e2e-deviations.txt"
# Upstream keeps canned responses and tags behind its Enterprise licence; Ferrochat gives them to everyone, so their
# own tests run too (IS_EE=true, those two files only), strictly: every test must pass.
echo "== upstream's Enterprise tests of canned responses and tags (--ee), strict"
bash "$ROOT/tests/upstream-e2e/run.sh" "$BIN" --ee --file 15-canned-responses --file 13-tags
