#!/usr/bin/env bash
# Builds the agent workspace (web/agent: TypeScript + Preact, bundled by esbuild) into
# web/agent/dist, the server's default AGENT_APP_DIR. Installs the exact versions of
# web/agent/package-lock.json from the npm registry (npm ci) when they are missing. Does
# nothing when dist/ was built from the current sources; `--force` builds anyway, `--check`
# also runs the type check (tsc --noEmit) and the linter (eslint) first.
# Usage (repository root): bash scripts/build-agent.sh [--force] [--check]
set -euo pipefail
cd "$(dirname "$0")/../web/agent"
FORCE=0
CHECK=0
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    --check) CHECK=1 ;;
    *) echo "build-agent: unknown argument $a" >&2; exit 2 ;;
  esac
done
SOURCES="$(find src build.mjs package.json package-lock.json tsconfig.json -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-64)"
if [ "$FORCE" = 0 ] && [ "$CHECK" = 0 ] && [ -f dist/index.html ] && [ "$(cat dist/.sources 2>/dev/null)" = "$SOURCES" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "build-agent: Node.js 20 and npm are needed to build the agent workspace" >&2; exit 1; }
LOCK_HASH="$(sha256sum package-lock.json | cut -c1-64)"
if [ ! -d node_modules ] || [ "$(cat node_modules/.lock-hash 2>/dev/null)" != "$LOCK_HASH" ]; then
  echo "build-agent: installing the pinned packages (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$LOCK_HASH" > node_modules/.lock-hash
fi
if [ "$CHECK" = 1 ]; then
  echo "build-agent: tsc --noEmit" >&2
  npx --no-install tsc --noEmit
  echo "build-agent: eslint" >&2
  npx --no-install eslint --max-warnings 0 .
fi
node build.mjs
echo "$SOURCES" > dist/.sources
