#!/usr/bin/env bash
# Build the canvas (quantflow-web/dist) that the server serves: npm ci from the lock file, then
# vitest unit tests (unless --no-test) and the production build. Nothing is fetched at run time.
# Usage: scripts/build-web.sh [--no-test] [--if-missing]
set -euo pipefail
cd "$(dirname "$0")/../quantflow-web"
run_tests=1
for arg in "$@"; do
  case "$arg" in
    --no-test) run_tests=0 ;;
    --if-missing) [ -f dist/index.html ] && exit 0 ;;
    *) echo "build-web: unknown option $arg" >&2; exit 2 ;;
  esac
done
command -v npm >/dev/null || { echo "build-web: npm is not installed (Node.js 20+ with npm)" >&2; exit 1; }
# Reinstall only when the lock file changed since the last install.
stamp=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.qf-stamp 2>/dev/null)" != "$stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$stamp" > node_modules/.qf-stamp
fi
if [ "$run_tests" -eq 1 ]; then
  npx --no-install vitest run --reporter=dot
fi
npm run --silent build
