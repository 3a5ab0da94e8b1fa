#!/usr/bin/env bash
# Prints the agent's CPU (and Docker's, where stats sampling also costs) with 30 running tasks, stats sampling off,
# one-shot samples at the default interval (5 s) and every second, and a Docker stats stream per container (as ECS):
#   bench/stats-cost.sh [tasks, default 30] [seconds measured per setting, default 60]
# Starts its own control plane and, per setting, an agent (temporary data, free ports) on the local Docker engine;
# cleans up after. CPU is % of one core over the window, from /proc/<pid>/stat (utime+stime), after a 15 s settle.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tasks=${1:-30}
window=${2:-60}

./scripts/ensure-docker.sh >/dev/null
./scripts/build-test-images.sh >/dev/null
if [ ! -f artifacts/bin/Agent/release/Agent.dll ] || [ -z "${BENCH_NO_BUILD:-}" ]; then
  for p in src/ControlPlane src/Agent src/Cli; do dotnet build "$p" -c Release -nologo -v quiet >/dev/null; done
fi

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
grpc=$(free_port); http=$(free_port)
cluster="statsbench-$$"
export ORCH_ENDPOINT="https://127.0.0.1:$grpc"
export ORCH_CONFIG="$work/cp/orch-admin.json"
orch() { dotnet artifacts/bin/Cli/release/orch.dll "$@"; }

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  docker ps -aq --filter "label=com.amazonaws.ecs.cluster=$cluster" | xargs -r docker rm -f >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

dotnet artifacts/bin/ControlPlane/release/ControlPlane.dll --data-dir "$work/cp" --grpc-port "$grpc" --http-port "$http" >"$work/cp.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 150); do [ -f "$ORCH_CONFIG" ] && (exec 3<>"/dev/tcp/127.0.0.1/$http") 2>/dev/null && break; sleep 0.2; done
orch cluster create "$cluster" >/dev/null
activation=$(orch activation create --cluster "$cluster" --max-registrations 1 --expires 24h --output json)
activation_id=$(python3 -c 'import json,sys;print(json.load(sys.stdin)["activationId"])' <<<"$activation")
activation_code=$(python3 -c 'import json,sys;print(json.load(sys.stdin)["activationCode"])' <<<"$activation")
cat >"$work/idle.json" <<'JSON'
{ "family": "statsbench", "networkMode": "bridge",
  "containerDefinitions": [ { "name": "idle", "image": "local/busybox:1", "memory": 16, "command": ["sleep", "86400"], "stopTimeout": 1 } ] }
JSON
orch taskdef register --file "$work/idle.json" >/dev/null

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
dockerd=$(cat /var/run/docker.pid 2>/dev/null || pidof dockerd | awk '{print $1}')

agent_pid=""
start_agent() { # $1: label, rest: agent options
  local label=$1; shift
  [ -n "$agent_pid" ] && { kill -TERM "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; }
  dotnet artifacts/bin/Agent/release/Agent.dll --endpoint "$ORCH_ENDPOINT" --cluster "$cluster" --data-dir "$work/agent" \
    --activation-id "$activation_id" --activation-code "$activation_code" --ca-file "$work/cp/pki/ca.crt" \
    --Agent:MetadataPort="$(free_port)" --Agent:IntrospectionEndpoint=127.0.0.1:"$(free_port)" "$@" >"$work/agent-$label.log" 2>&1 &
  agent_pid=$!; pids+=("$agent_pid")
  for _ in $(seq 1 60); do orch instance list --cluster "$cluster" --output json 2>/dev/null | grep -q '"agentConnected": *true' && break; sleep 1; done
}

measure() { # $1: label
  sleep 15
  local a0 d0 a1 d1
  a0=$(ticks "$agent_pid"); d0=$(ticks "$dockerd")
  sleep "$window"
  a1=$(ticks "$agent_pid"); d1=$(ticks "$dockerd")
  local rss; rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$agent_pid/status")
  awk -v l="$1" -v a=$((a1 - a0)) -v d=$((d1 - d0)) -v hz="$hz" -v w="$window" -v r="$rss" \
    'BEGIN {printf "%-26s agent CPU %6.2f %%   dockerd CPU %6.2f %%   agent RSS %s MiB\n", l, a/hz/w*100, d/hz/w*100, r}'
}

start_agent off --Agent:StatsEnabled=false
left=$tasks
while [ "$left" -gt 0 ]; do
  n=$(( left > 10 ? 10 : left ))
  orch task run --cluster "$cluster" --task-definition statsbench --count "$n" --wait --timeout 120s >/dev/null
  left=$(( left - n ))
done
running=$(docker ps -q --filter "label=com.amazonaws.ecs.cluster=$cluster" | wc -l)
echo "running task containers: $running; window ${window}s per setting; $(nproc) cores"
measure "stats off"
start_agent on5 --Agent:StatsEnabled=true --Agent:StatsInterval=00:00:05
measure "stats on, every 5 s"
start_agent on1 --Agent:StatsEnabled=true --Agent:StatsInterval=00:00:01
measure "stats on, every 1 s"
start_agent stream --Agent:StatsEnabled=true --Agent:StatsMode=stream
measure "stats on, stream each"
