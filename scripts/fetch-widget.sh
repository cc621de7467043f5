#!/usr/bin/env bash
# Puts the real Rocket.Chat livechat widget (@rocket.chat/livechat, MIT) where the server looks
# for it: the exact published package from the npm registry this machine is configured for,
# checked against the integrity pinned below, unpacked under vendor/ (gitignored: third-party
# files are never committed). Does nothing when the files are already there.
# Usage (repository root): bash scripts/fetch-widget.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE="@rocket.chat/livechat"
VERSION="1.13.3"
INTEGRITY="sha512-gEX3V2Cr+7Nr+j4CFwBBX7R/1mZxWvnmpbz/jc+gJOa7zKJOdyv4waLc5RegmoubxpNlzbpbMiNkwg5GQuhyWA=="
DEST="vendor/livechat"   # the server's default LIVECHAT_WIDGET_DIR is $DEST/build

if [ -f "$DEST/build/index.html" ] && [ "$(cat "$DEST/INTEGRITY" 2>/dev/null)" = "$INTEGRITY" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-widget: npm is needed to fetch $PACKAGE@$VERSION" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
echo "fetch-widget: fetching $PACKAGE@$VERSION from the npm registry" >&2
(cd "$TMP" && npm pack "$PACKAGE@$VERSION" --silent >/dev/null)
TGZ="$(ls "$TMP"/*.tgz)"
GOT="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$TGZ")"
if [ "$GOT" != "$INTEGRITY" ]; then
  echo "fetch-widget: integrity mismatch for $PACKAGE@$VERSION: got $GOT, expected $INTEGRITY" >&2
  exit 1
fi
tar -xzf "$TGZ" -C "$TMP"
rm -rf "$DEST.tmp"
mkdir -p "$DEST.tmp"
# The source maps are not needed to run the widget and are half of the package.
(cd "$TMP/package" && tar --exclude='*.map' -cf - build LICENSE package.json) | tar -xf - -C "$DEST.tmp"
echo "$INTEGRITY" > "$DEST.tmp/INTEGRITY"
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"
echo "fetch-widget: $PACKAGE@$VERSION is in $DEST/build" >&2
