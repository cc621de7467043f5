#!/usr/bin/env bash
# The README's run command: fetches the livechat widget if it is missing (scripts/fetch-widget.sh)
# and builds the agent workspace if it is missing or stale (scripts/build-agent.sh), then builds
# and runs the server. Without them (offline machine, no Node.js) the server still runs and
# /livechat and /agent say how to install them. Arguments go to `ferrochat` (see `ferrochat --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${LIVECHAT_WIDGET_DIR:-}" ]; then
  bash scripts/fetch-widget.sh || echo "serve: the widget could not be fetched; starting without it" >&2
fi
if [ -z "${AGENT_APP_DIR:-}" ]; then
  bash scripts/build-agent.sh || echo "serve: the agent workspace could not be built; starting without it" >&2
fi
exec cargo run --release -p ferrochat -- "$@"
