#!/usr/bin/env bash
# Make sure the local services the test suite talks to are running; start any that is down.
# Fails loudly (exit 1) when one cannot be started: tests never silently skip a real service.
# Usage: scripts/services.sh postgres redis mosquitto
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1
  for _ in $(seq 1 50); do port_open "$port" && return 0; sleep 0.2; done
  return 1
}

start() {
  case "$1" in
    postgres)
      port_open 5432 && return 0
      command -v pg_ctlcluster >/dev/null || { echo "services: PostgreSQL is not installed (apt-get install postgresql)" >&2; return 1; }
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
      wait_port 5432 ;;
    redis)
      port_open 6379 && return 0
      mkdir -p /var/lib/redis /var/log/redis
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
      wait_port 6379 ;;
    mosquitto)
      port_open 1883 && return 0
      mosquitto -d -c /etc/mosquitto/mosquitto.conf
      wait_port 1883 ;;
    *) echo "services: unknown service $1" >&2; return 1 ;;
  esac
}

status=0
for service in "$@"; do
  if ! start "$service"; then
    echo "services: $service is required by the tests and could not be started" >&2
    status=1
  fi
done
exit $status
