#!/usr/bin/env bash
# The task path beside the engine's own figures, each pair measured in the same run on the same Docker engine:
#   1. idle agent and control plane: RSS and CPU (% of one core over a window, from /proc/<pid>/stat)
#   2. a service task's essential container killed (docker kill) → its replacement RUNNING (the replacement's startedAt,
#      the control plane's clock, minus the moment of the kill), without and with a sidecar that ignores SIGTERM
#      (stopTimeout 30 s): the replacement must not wait for the old task to stop
#   3. `orch task run --wait` to RUNNING, the native orch (scripts/build-native-orch.sh) and the JIT build, vs
#      `docker run -d -p 0:80` of the same image and command (medians, alternating)
#   4. 30 bridge tasks with dynamic host ports → all RUNNING (three `orch task run --count 10` at once; the last
#      startedAt minus the start) vs 30 `docker run -d -p 0:80`, 8 at a time, vs Docker Swarm on the same engine
#      (`docker service create --replicas 30 --publish mode=host,target=80` → 30/30; the engine leaves swarm mode after,
#      and Swarm is skipped if the engine is already in a swarm)
#   bench/task-path.sh [iterations for 2 and 3, default 5] [idle window in seconds, default 30]
# Starts its own control plane and agent (temporary data, free loopback ports); removes only what it made.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=${1:-5}
window=${2:-30}

./scripts/ensure-docker.sh >/dev/null
./scripts/build-test-images.sh >/dev/null
if [ ! -f artifacts/bin/Agent/release/Agent.dll ] || [ -z "${BENCH_NO_BUILD:-}" ]; then
  for p in src/ControlPlane src/Agent src/Cli; do dotnet build "$p" -c Release -nologo -v quiet >/dev/null; done
fi
native_orch=artifacts/native/orch/orch
if [ ! -x "$native_orch" ] || [ artifacts/bin/Cli/release/orch.dll -nt "$native_orch" ]; then
  ./scripts/build-native-orch.sh >/dev/null
fi

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
grpc=$(free_port); http=$(free_port)
cluster="pathbench-$$"
label="orch.bench=$$"
swarm_service="pathbench-$$"
export ORCH_ENDPOINT="https://127.0.0.1:$grpc"
export ORCH_CONFIG="$work/cp/orch-admin.json"
# Every call of the bench's own (setup, polling, the 30 tasks) is the native orch: a JIT orch spends about half a
# second of CPU per call, which the engine being measured would share. Section 3 times both builds.
orch() { "$native_orch" "$@"; }
jit_orch() { dotnet artifacts/bin/Cli/release/orch.dll "$@"; }
now_ms() { date +%s%3N; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

pids=()
joined_swarm=""
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  docker ps -aq --filter "label=com.amazonaws.ecs.cluster=$cluster" | xargs -r docker rm -f >/dev/null
  docker ps -aq --filter "label=$label" | xargs -r docker rm -f >/dev/null
  if [ -n "$joined_swarm" ]; then
    docker service rm "$swarm_service" >/dev/null 2>&1 || true
    docker swarm leave --force >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

dotnet artifacts/bin/ControlPlane/release/ControlPlane.dll --data-dir "$work/cp" --grpc-port "$grpc" --http-port "$http" >"$work/cp.log" 2>&1 &
cp_pid=$!; pids+=("$cp_pid")
for _ in $(seq 1 150); do [ -f "$ORCH_CONFIG" ] && (exec 3<>"/dev/tcp/127.0.0.1/$http") 2>/dev/null && break; sleep 0.2; done
for i in 1 2 3 4 5; do orch cluster create "$cluster" >/dev/null && break; [ "$i" = 5 ] && exit 1; sleep 2; done
activation=$(orch activation create --cluster "$cluster" --max-registrations 1 --expires 24h --output json 2>/dev/null)
activation_id=$(python3 -c 'import json,sys;print(json.load(sys.stdin)["activationId"])' <<<"$activation")
activation_code=$(python3 -c 'import json,sys;print(json.load(sys.stdin)["activationCode"])' <<<"$activation")
dotnet artifacts/bin/Agent/release/Agent.dll --endpoint "$ORCH_ENDPOINT" --cluster "$cluster" --data-dir "$work/agent" \
  --activation-id "$activation_id" --activation-code "$activation_code" --ca-file "$work/cp/pki/ca.crt" \
  --Agent:MetadataPort="$(free_port)" --Agent:IntrospectionEndpoint=127.0.0.1:"$(free_port)" ${BENCH_AGENT_ARGS:-} >"$work/agent.log" 2>&1 &
agent_pid=$!; pids+=("$agent_pid")
for _ in $(seq 1 150); do orch instance list --cluster "$cluster" --output json 2>/dev/null | grep -q "\"agentConnected\": *true" && break; sleep 0.3; done

web='{ "name": "web", "image": "local/busybox:1", "memory": 32, "essential": true,
       "entryPoint": ["/bin/sh", "-c"], "command": ["exec httpd -f -p 80 -h /"],
       "portMappings": [{ "containerPort": 80, "hostPort": 0 }], "stopTimeout": 2 }'
cat >"$work/web.json" <<JSON
{ "family": "pathbench-web", "networkMode": "bridge", "containerDefinitions": [ $web ] }
JSON
cat >"$work/linger.json" <<JSON
{ "family": "pathbench-linger", "networkMode": "bridge", "containerDefinitions": [ $web,
  { "name": "sidecar", "image": "local/busybox:1", "memory": 16, "essential": false, "stopTimeout": 30,
    "command": ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"] } ] }
JSON
orch taskdef register --file "$work/web.json" >/dev/null
orch taskdef register --file "$work/linger.json" >/dev/null

# 1. Idle: registered, connected, heartbeating, no tasks; measured after a minute, once the JIT has recompiled the
# start's hot code (tiered compilation): that is start-up, not idle.
sleep 60
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
# What only this process holds: RSS less the clean shared pages of the runtime and assemblies other .NET programs share.
private() { awk '/^Private_(Clean|Dirty)/ {k += $2} END {printf "%.1f", k/1024}' "/proc/$1/smaps_rollup"; }
hz=$(getconf CLK_TCK)
a0=$(ticks "$agent_pid"); c0=$(ticks "$cp_pid")
sleep "$window"
a1=$(ticks "$agent_pid"); c1=$(ticks "$cp_pid")
agent_cpu=$(awk -v t=$((a1 - a0)) -v hz="$hz" -v w="$window" 'BEGIN {printf "%.2f", 100 * t / hz / w}')
cp_cpu=$(awk -v t=$((c1 - c0)) -v hz="$hz" -v w="$window" 'BEGIN {printf "%.2f", 100 * t / hz / w}')
agent_rss=$(rss "$agent_pid"); cp_rss=$(rss "$cp_pid"); agent_private=$(private "$agent_pid"); cp_private=$(private "$cp_pid")

# 2. Killed essential container → replacement RUNNING.
tasks_json() { orch task list --cluster "$cluster" --family "$1" --output json; }
running() { # $1: family; prints "arn web-container-id startedAt" of each RUNNING task
  python3 -c 'import json,sys
for t in json.load(sys.stdin)["tasks"]:
    if t["lastStatus"] == "RUNNING":
        web = [c for c in t["containers"] if c["name"] == "web"][0]
        print(t["taskArn"], web.get("runtimeId", ""), t.get("startedAt", ""))' <<<"$(tasks_json "$1")"
}
epoch_ms() { python3 -c 'import sys,datetime;print(int(datetime.datetime.fromisoformat(sys.argv[1]).timestamp()*1000))' "$1"; }
replacement_times() { # $1: family; prints the kill → replacement RUNNING times, ms
  local family=$1 times=()
  orch service create "$family" --cluster "$cluster" -t "$family" -n 1 --wait --timeout 2m >/dev/null
  for _ in $(seq 1 "$n"); do
    local line arn id t0 found=""
    line=$(running "$family" | head -n 1); arn=${line%% *}; id=$(cut -d' ' -f2 <<<"$line")
    t0=$(now_ms)
    docker kill "$id" >/dev/null
    for _ in $(seq 1 240); do
      found=$(running "$family" | awk -v old="$arn" '$1 != old' | head -n 1)
      [ -n "$found" ] && break
      sleep 0.25
    done
    [ -n "$found" ] || { echo "no replacement for $arn" >&2; exit 1; }
    times+=($(($(epoch_ms "$(cut -d' ' -f3 <<<"$found")") - t0)))
  done
  orch service delete "$family" --cluster "$cluster" --force >/dev/null
  echo "${times[*]}"
}
plain=($(replacement_times pathbench-web))
linger=($(replacement_times pathbench-linger))

# 3. orch task run --wait vs docker run -d -p, alternating.
orch_times=(); docker_times=(); breakdown=(); help_times=(); native_times=(); native_help=()
for _ in $(seq 1 "$n"); do
  t0=$(now_ms); jit_orch --help >/dev/null; help_times+=($(($(now_ms) - t0)))
  t0=$(now_ms); orch --help >/dev/null; native_help+=($(($(now_ms) - t0)))
  t0=$(now_ms)
  out=$(jit_orch task run --cluster "$cluster" --task-definition pathbench-web --wait --output json)
  orch_times+=($(($(now_ms) - t0)))
  arn=$(python3 -c 'import json,sys;print(json.load(sys.stdin)["tasks"][0]["taskArn"])' <<<"$out")
  orch task stop --cluster "$cluster" "$arn" >/dev/null
  t0=$(now_ms)
  out=$(orch task run --cluster "$cluster" --task-definition pathbench-web --wait --output json)
  t1=$(now_ms)
  native_times+=($((t1 - t0)))
  arn=$(python3 -c 'import json,sys;print(json.load(sys.stdin)["tasks"][0]["taskArn"])' <<<"$out")
  # Where the time went, from the task's own times (control plane and agent share this host's clock).
  breakdown+=("$(python3 -c 'import json,sys,datetime
t0, t1 = int(sys.argv[1]), int(sys.argv[2])
task = [t for t in json.load(sys.stdin)["tasks"] if t["taskArn"] == sys.argv[3]][0]
ms = lambda k: int(datetime.datetime.fromisoformat(task[k]).timestamp() * 1000) if task.get(k) else None
points = [t0, ms("createdAt"), ms("pullStartedAt"), ms("pullStoppedAt"), ms("startedAt"), t1]
if None in points: print("-"); sys.exit()
print(",".join(str(b - a) for a, b in zip(points, points[1:])))' "$t0" "$t1" "$arn" <<<"$(orch task describe --cluster "$cluster" "$arn" --output json)")")
  orch task stop --cluster "$cluster" "$arn" >/dev/null
  t0=$(now_ms)
  docker run -d --label "$label" -p 0:80 -m 32m --entrypoint /bin/sh local/busybox:1 -c "exec httpd -f -p 80 -h /" >/dev/null
  docker_times+=($(($(now_ms) - t0)))
done
docker ps -aq --filter "label=$label" | xargs -r docker rm -f >/dev/null

# 4. 30 tasks with dynamic host ports.
for _ in $(seq 1 60); do # the stopped ones gone: 30 fresh starts on an empty host
  [ -z "$(docker ps -q --filter "label=com.amazonaws.ecs.cluster=$cluster")" ] && break; sleep 1
done
t0=$(now_ms)
runs=()
for _ in 1 2 3; do orch task run --cluster "$cluster" --task-definition pathbench-web --count 10 --output json >/dev/null & runs+=($!); done
for p in "${runs[@]}"; do wait "$p"; done
last=""
for _ in $(seq 1 240); do
  last=$(python3 -c 'import json,sys
ts=[t for t in json.load(sys.stdin)["tasks"] if t["lastStatus"] == "RUNNING"]
print(max(t["startedAt"] for t in ts) if len(ts) >= 30 else "")' <<<"$(tasks_json pathbench-web)")
  [ -n "$last" ] && break
  sleep 0.5
done
[ -n "$last" ] || { echo "30 orch tasks did not all reach RUNNING" >&2; exit 1; }
orch30=$(($(epoch_ms "$last") - t0))
docker ps -q --filter "label=com.amazonaws.ecs.cluster=$cluster" | xargs -r docker rm -f >/dev/null

t0=$(now_ms)
seq 1 30 | xargs -P 8 -I{} docker run -d --label "$label" -p 0:80 -m 32m --entrypoint /bin/sh local/busybox:1 -c "exec httpd -f -p 80 -h /" >/dev/null
docker30=$(($(now_ms) - t0))
docker ps -aq --filter "label=$label" | xargs -r docker rm -f >/dev/null

swarm30="skipped (the engine is already in a swarm)"
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = inactive ]; then
  joined_swarm=1
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  t0=$(now_ms)
  docker service create --detach --quiet --name "$swarm_service" --replicas 30 --publish mode=host,target=80 \
    --entrypoint /bin/sh local/busybox:1 -c "exec httpd -f -p 80 -h /" >/dev/null 2>&1
  for _ in $(seq 1 600); do
    [ "$(docker service ls --filter "name=$swarm_service" --format '{{.Replicas}}')" = "30/30" ] && break
    sleep 0.2
  done
  swarm30="$(($(now_ms) - t0)) ms"
  [ "$(docker service ls --filter "name=$swarm_service" --format '{{.Replicas}}')" = "30/30" ] || swarm30="did not reach 30/30 in 120 s"
  docker service rm "$swarm_service" >/dev/null
  docker swarm leave --force >/dev/null
  joined_swarm=""
fi

mo=$(median "${orch_times[@]}"); md=$(median "${docker_times[@]}"); mn=$(median "${native_times[@]}")
echo "host: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), dockerd $(docker version --format '{{.Server.Version}}')"
echo "idle ($window s window)          agent: ${agent_rss} MiB RSS (${agent_private} MiB private), ${agent_cpu} % CPU    control plane: ${cp_rss} MiB RSS (${cp_private} MiB private), ${cp_cpu} % CPU"
echo "killed container → replacement RUNNING, median of $n:"
echo "  without a sidecar:              $(median "${plain[@]}") ms   (all: ${plain[*]})"
echo "  sidecar ignoring SIGTERM (30 s): $(median "${linger[@]}") ms   (all: ${linger[*]})"
echo "one bridge task to RUNNING, median of $n (alternating):"
echo "  orch task run --wait, native:   ${mn} ms   (all: ${native_times[*]})"
echo "  orch task run --wait, JIT:      ${mo} ms   (all: ${orch_times[*]})"
echo "  docker run -d -p 0:80:          ${md} ms   (all: ${docker_times[*]})"
awk -v a="$mn" -v b="$md" 'BEGIN {printf "  ratio native orch/docker:      %.2f\n", a/b}'
awk -v a="$mo" -v b="$md" 'BEGIN {printf "  ratio JIT orch/docker:         %.2f\n", a/b}'
echo "  where the native orch's time went (medians, ms; from the task's createdAt, pullStartedAt, pullStoppedAt, startedAt):"
python3 - "${breakdown[@]}" <<'PY'
import statistics, sys
rows = [list(map(int, r.split(","))) for r in sys.argv[1:] if r != "-"]
names = ["orch start + RunTask (placed, committed)", "dispatch to the agent, pull begins",
         "image check / pull", "container create + start", "RUNNING reported, seen, orch exits"]
if not rows: print("    (no task had all its times)")
for i, name in enumerate(names):
    if rows: print(f"    {name:<42} {statistics.median(r[i] for r in rows):>6.0f}")
PY
echo "  orch --help alone (process start floor): native $(median "${native_help[@]}") ms, JIT $(median "${help_times[@]}") ms"
echo "30 bridge tasks, dynamic ports → all RUNNING:"
echo "  orch (3 × task run --count 10): ${orch30} ms"
echo "  docker run -d -p, 8 at a time:  ${docker30} ms"
echo "  Docker Swarm --replicas 30:     ${swarm30}"
