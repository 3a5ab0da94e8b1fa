#!/usr/bin/env bash
# The scale harness (issue 19): a real control plane process (own temp data directory, free loopback ports, TLS) and
# N simulated agents in one process (real join: activation → certificate; mutual-TLS sessions, heartbeats, a fake
# Docker that runs each task at once), then M tasks by RunTask and S services. Prints the time to register the agents,
# end-to-end throughput (until every task is acknowledged RUNNING), the heartbeat delay p99 (the control plane's
# orch_agent_heartbeat_delay_seconds histogram) and the control plane's RSS and CPU (/proc). Exit code 0 when every
# task is RUNNING exactly once.
#
#   bench/scale.sh --agents 1000 --tasks 10000 [--services 10 --service-tasks 100] [--cp-args "--State:Backend=…"]
#   bench/scale.sh --help
#
# --no-build skips building (tests/Benchmarks and the control plane, Release).
set -euo pipefail
cd "$(dirname "$0")/.."
build=1
args=()
for a in "$@"; do
  if [ "$a" = "--no-build" ]; then build=0; else args+=("$a"); fi
done
if [ "$build" = 1 ]; then
  dotnet build tests/Benchmarks -c Release -nologo -v quiet >/dev/null
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ "${args[0]:-}" = "--help" ]; then
  exec dotnet artifacts/bin/Benchmarks/release/Benchmarks.dll --scale --agents 0
fi
exec dotnet artifacts/bin/Benchmarks/release/Benchmarks.dll --scale "${args[@]}"
