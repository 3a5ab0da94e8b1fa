#!/usr/bin/env bash
# Prints how long `orch task run --wait` takes to RUNNING next to `docker run -d` of the same image and command,
# measured alternately in the same run, and the idle memory (RSS) of the agent and the control plane.
#   bench/task-run-latency.sh [iterations, default 15]
# Starts its own control plane and agent (temporary data, free ports) on the local Docker engine; cleans up after.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=${1:-15}

./scripts/ensure-docker.sh
./scripts/build-test-images.sh
dotnet build Orchestrator.sln -c Release -nologo -v quiet >/dev/null

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }
grpc=$(free_port); http=$(free_port)
cluster="bench-$$"
export ORCH_ENDPOINT="http://127.0.0.1:$grpc"
orch() { dotnet artifacts/bin/Cli/release/orch.dll "$@"; }

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  docker ps -aq --filter "label=com.amazonaws.ecs.cluster=$cluster" | xargs -r docker rm -f >/dev/null
  docker ps -aq --filter "label=orch.bench=$$" | xargs -r docker rm -f >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

dotnet artifacts/bin/ControlPlane/release/ControlPlane.dll --data-dir "$work/cp" --grpc-port "$grpc" --http-port "$http" >"$work/cp.log" 2>&1 &
cp_pid=$!; pids+=("$cp_pid")
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$http") 2>/dev/null && break; sleep 0.2; done
orch cluster create "$cluster" >/dev/null
dotnet artifacts/bin/Agent/release/Agent.dll --endpoint "$ORCH_ENDPOINT" --cluster "$cluster" --data-dir "$work/agent" >"$work/agent.log" 2>&1 &
agent_pid=$!; pids+=("$agent_pid")
for _ in $(seq 1 100); do orch instance list --cluster "$cluster" 2>/dev/null | grep -q true && break; sleep 0.3; done
orch taskdef register --file examples/httpd.json >/dev/null

sleep 20 # idle: registered, connected, heartbeating, no tasks
rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
agent_rss=$(rss "$agent_pid"); cp_rss=$(rss "$cp_pid")

now_ms() { date +%s%3N; }
command=$(python3 -c 'import json;c=json.load(open("examples/httpd.json"))["containerDefinitions"][0];print(json.dumps(c["command"][0]))' 2>/dev/null || echo '"exec httpd -f -p 80 -h /www"')
orch_times=(); docker_times=(); server_times=()
for i in $(seq 1 "$n"); do
  t0=$(now_ms)
  out=$(orch task run --cluster "$cluster" --task-definition httpd --wait --output json 2>/dev/null)
  t1=$(now_ms)
  orch_times+=($((t1 - t0)))
  server_times+=("$(python3 -c 'import json,sys,datetime as d
t=json.loads(sys.stdin.read())["tasks"][0]
p=lambda s: d.datetime.fromisoformat(s)
print(int((p(t["startedAt"])-p(t["createdAt"])).total_seconds()*1000))' <<<"$out")")
  arn=$(python3 -c 'import json,sys;print(json.loads(sys.stdin.read())["tasks"][0]["taskArn"])' <<<"$out")
  orch task stop --cluster "$cluster" "$arn" >/dev/null

  t0=$(now_ms)
  docker run -d --label "orch.bench=$$" -p 0:80 -m 64m --entrypoint /bin/sh local/busybox:1 -c "exec httpd -f -p 80 -h /www" >/dev/null
  t1=$(now_ms)
  docker_times+=($((t1 - t0)))
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mo=$(median "${orch_times[@]}"); md=$(median "${docker_times[@]}"); ms=$(median "${server_times[@]}")
echo "iterations:                                   $n (alternating, same run)"
echo "orch task run --wait to RUNNING, median:      ${mo} ms   (all: ${orch_times[*]})"
echo "  of which control plane createdAt→startedAt: ${ms} ms   (all: ${server_times[*]})"
echo "docker run -d of the same image, median:      ${md} ms   (all: ${docker_times[*]})"
awk -v a="$mo" -v b="$md" 'BEGIN {printf "ratio orch/docker:                            %.2f\n", a/b}'
echo "agent idle RSS:                               ${agent_rss} MiB"
echo "control plane idle RSS:                       ${cp_rss} MiB"
