#!/usr/bin/env bash
# The real livechat widget (@rocket.chat/livechat 1.13.3, fetched by scripts/fetch-widget.sh) and
# the agent workspace (web/agent, built by scripts/build-agent.sh) in headless Chromium against
# the release binary: tests/browser/widget.e2e.js, agent.e2e.js and console.e2e.js (the manager
# console, from a fresh install to a chat), driven by playwright-core
# installed from npm with exact pins into a scratch folder. Screenshots of every step and the
# servers' logs go to target/browser-artifacts/.
# Needs Debian's chromium at /usr/bin/chromium (.ci/run installs it), node and npm.
# Usage (repository root): bash scripts/browser-tests.sh   [FERROCHAT_BIN=path/to/ferrochat]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
if [ -z "${LIVECHAT_WIDGET_DIR:-}" ]; then
  bash scripts/fetch-widget.sh
  export LIVECHAT_WIDGET_DIR="$ROOT/vendor/livechat/build"
fi
if [ -z "${AGENT_APP_DIR:-}" ]; then
  bash scripts/build-agent.sh
  export AGENT_APP_DIR="$ROOT/web/agent/dist"
fi
BIN="${FERROCHAT_BIN:-}"
if [ -z "$BIN" ]; then
  cargo build --release --quiet -p ferrochat
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/ferrochat"
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp tests/browser/package.json tests/browser/*.js "$WORK/"
(cd "$WORK" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)

export FERROCHAT_BIN="$BIN"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export ARTIFACTS_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/browser-artifacts"
rm -rf "$ARTIFACTS_DIR"
mkdir -p "$ARTIFACTS_DIR"
cd "$WORK"
status=0
timeout 300 node widget.e2e.js || status=1
timeout 600 node agent.e2e.js || status=1
timeout 300 node console.e2e.js || status=1
exit $status
