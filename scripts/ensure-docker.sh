#!/usr/bin/env bash
# Makes sure a Docker engine answers on the local socket: installs Debian's docker.io when dockerd is absent and
# starts dockerd when it is not running. Needs root for either.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "No Docker engine is running and this is not root: start Docker (or run as root) and try again." >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "Installing Docker (docker.io) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

log=${ORCH_DOCKERD_LOG:-/var/log/orch-dockerd.log}
if ! docker info >/dev/null 2>&1; then
  echo "Starting dockerd (log: $log) ..."
  # In a session of its own: Ctrl-C in the terminal that ran run.sh (SIGINT to its process group) must not reach
  # the engine, or every task container would die with it.
  setsid -f dockerd >"$log" 2>&1 </dev/null
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
fi

docker info >/dev/null 2>&1 || { echo "dockerd did not come up; see $log" >&2; exit 1; }
