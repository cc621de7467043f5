#!/usr/bin/env bash
# The README's run command: fetches the livechat widget if it is missing (scripts/fetch-widget.sh),
# then builds and runs the server. Without the widget (offline machine) the server still runs and
# /livechat says how to install it. Arguments go to `ferrochat` (see `ferrochat --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${LIVECHAT_WIDGET_DIR:-}" ]; then
  bash scripts/fetch-widget.sh || echo "serve: the widget could not be fetched; starting without it" >&2
fi
exec cargo run --release -p ferrochat -- "$@"
