#!/usr/bin/env bash
# Swagger UI for the server's /schema page, from npm at the version pinned in
# quantflow-server/swagger/package-lock.json, copied into quantflow-server/swagger/dist, which the
# server serves at /swagger-ui/ (stack-notes §3: the default UI loads from a CDN, blank offline).
# Usage: scripts/build-swagger.sh [--if-missing]
set -euo pipefail
cd "$(dirname "$0")/../quantflow-server/swagger"
FILES=(swagger-ui-bundle.js swagger-ui.css swagger-ui-standalone-preset.js favicon-32x32.png LICENSE NOTICE)
for arg in "$@"; do
  case "$arg" in
    --if-missing) [ -f dist/swagger-ui-bundle.js ] && exit 0 ;;
    *) echo "build-swagger: unknown option $arg" >&2; exit 2 ;;
  esac
done
command -v npm >/dev/null || { echo "build-swagger: npm is not installed (Node.js 20+ with npm)" >&2; exit 1; }
# Reinstall only when the lock file changed. --ignore-scripts: swagger-ui-dist's only dependency
# (@scarf/scarf) is an install-time analytics ping, nothing the files need.
stamp=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.qf-stamp 2>/dev/null)" != "$stamp" ]; then
  SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$stamp" > node_modules/.qf-stamp
fi
rm -rf dist.tmp && mkdir dist.tmp
for f in "${FILES[@]}"; do cp "node_modules/swagger-ui-dist/$f" dist.tmp/; done
rm -rf dist && mv dist.tmp dist
