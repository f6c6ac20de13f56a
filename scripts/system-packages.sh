#!/usr/bin/env bash
# Install the Debian packages the test suite needs when a command is missing (fresh machines).
# Usage: scripts/system-packages.sh COMMAND=PACKAGE ...   e.g. docker-compose=docker-compose
set -euo pipefail
missing=()
for pair in "$@"; do
  command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "system-packages: installing ${missing[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "${missing[@]}" >/tmp/qf-apt.log 2>&1 || {
  apt-get update -q >/tmp/qf-apt.log 2>&1
  apt-get install -y -q "${missing[@]}" >>/tmp/qf-apt.log 2>&1 || { tail -20 /tmp/qf-apt.log >&2; exit 1; }
}
