#!/usr/bin/env bash
# Prints how long an awsvpc task takes to start next to a bridge task of the same container, measured alternately in
# the same run: `orch task run --wait` to RUNNING (as a user waits, CLI start-up included) and the control plane's
# createdAt→startedAt (placement, dispatch, agent, Docker). The first awsvpc task also loads the pause image and makes
# the macvlan network; it is shown apart and left out of the figures.
#   bench/awsvpc-start.sh [iterations, default 10]
# Starts its own control plane and agent (temporary data, free ports) on the local Docker engine. The awsvpc tasks'
# macvlan hangs off one end of a veth pair made for the run whose other end leads nowhere, with addresses of
# TEST-NET-2 (198.51.100.0/24): no packet leaves the machine. Needs root (ip link). Cleans up after itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=${1:-10}

./scripts/ensure-docker.sh
./scripts/build-test-images.sh
dotnet build Orchestrator.sln -c Release -nologo -v quiet >/dev/null
[ -x artifacts/bin/Agent/release/pause/pause ] || { echo "The pause program was not built (gcc missing?): apt-get install gcc libc6-dev" >&2; exit 1; }

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }
grpc=$(free_port); http=$(free_port)
cluster="bench-$$"
link="orchb$(($$ % 100000))"
network="orch-awsvpc-bench-$$"
export ORCH_ENDPOINT="http://127.0.0.1:$grpc"
orch() { dotnet artifacts/bin/Cli/release/orch.dll "$@"; }

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  docker ps -aq --filter "label=com.amazonaws.ecs.cluster=$cluster" | xargs -r docker rm -f >/dev/null
  docker network rm "$network" >/dev/null 2>&1 || true
  ip link del "$link" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip link add "$link" type veth peer name "${link}p"
ip link set "$link" up
ip link set "${link}p" up

dotnet artifacts/bin/ControlPlane/release/ControlPlane.dll --data-dir "$work/cp" --grpc-port "$grpc" --http-port "$http" \
  --subnet "subnet-bench cidr=198.51.100.0/24 range=198.51.100.10-198.51.100.250 gateway=198.51.100.1" >"$work/cp.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$http") 2>/dev/null && break; sleep 0.2; done
orch cluster create "$cluster" >/dev/null
dotnet artifacts/bin/Agent/release/Agent.dll --endpoint "$ORCH_ENDPOINT" --cluster "$cluster" --data-dir "$work/agent" \
  --awsvpc-interface "$link" --Agent:AwsvpcNetwork="$network" >"$work/agent.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do orch instance list --cluster "$cluster" 2>/dev/null | grep -q yes && break; sleep 0.3; done

web='{"name":"web","image":"local/busybox:1","memory":32,"entryPoint":["/bin/sh","-c"],"command":["exec httpd -f -p 80 -h /www"],"stopTimeout":2'
echo "{\"family\":\"bench-bridge\",\"networkMode\":\"bridge\",\"containerDefinitions\":[$web,\"portMappings\":[{\"containerPort\":80,\"hostPort\":0}]}]}" >"$work/bridge.json"
echo "{\"family\":\"bench-awsvpc\",\"networkMode\":\"awsvpc\",\"containerDefinitions\":[$web,\"portMappings\":[{\"containerPort\":80}]}]}" >"$work/awsvpc.json"
orch taskdef register --file "$work/bridge.json" >/dev/null
orch taskdef register --file "$work/awsvpc.json" >/dev/null

now_ms() { date +%s%3N; }
# One task: prints "<orch ms> <createdAt→startedAt ms>" and stops it.
run() {
  local t0 t1 out arn server
  t0=$(now_ms)
  out=$(orch task run --cluster "$cluster" --task-definition "$1" --wait --output json)
  t1=$(now_ms)
  server=$(python3 -c 'import json,sys,datetime as d
t=json.loads(sys.stdin.read())["tasks"][0]
p=lambda s: d.datetime.fromisoformat(s)
print(int((p(t["startedAt"])-p(t["createdAt"])).total_seconds()*1000))' <<<"$out")
  arn=$(python3 -c 'import json,sys;print(json.loads(sys.stdin.read())["tasks"][0]["taskArn"])' <<<"$out")
  orch task stop --cluster "$cluster" "$arn" >/dev/null
  echo "$((t1 - t0)) $server"
}

read -r first_orch first_server < <(run bench-awsvpc)
run bench-bridge >/dev/null # the same warm-up for bridge
bridge_orch=(); bridge_server=(); awsvpc_orch=(); awsvpc_server=()
for _ in $(seq 1 "$n"); do
  read -r o s < <(run bench-bridge); bridge_orch+=("$o"); bridge_server+=("$s")
  read -r o s < <(run bench-awsvpc); awsvpc_orch+=("$o"); awsvpc_server+=("$s")
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
p90() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.9+0.999); if (i<1) i=1; print a[i]}'; }
line() { printf '%-44s median %5s ms   p90 %5s ms   (all: %s)\n' "$1" "$(median "${@:2}")" "$(p90 "${@:2}")" "${*:2}"; }
echo "iterations:                                  $n of each, alternating, same run"
line "bridge: createdAt→startedAt" "${bridge_server[@]}"
line "awsvpc: createdAt→startedAt" "${awsvpc_server[@]}"
line "bridge: orch task run --wait to RUNNING" "${bridge_orch[@]}"
line "awsvpc: orch task run --wait to RUNNING" "${awsvpc_orch[@]}"
awk -v a="$(median "${awsvpc_server[@]}")" -v b="$(median "${bridge_server[@]}")" \
  'BEGIN {printf "awsvpc − bridge (createdAt→startedAt medians): %+d ms (×%.2f)\n", a - b, a / b}'
echo "first awsvpc task (loads the pause image, makes the network): createdAt→startedAt ${first_server} ms, orch ${first_orch} ms"
