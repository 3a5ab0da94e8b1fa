#!/usr/bin/env bash
# Starts a one-host cluster in the foreground: a control plane and an agent on the local Docker engine, with all
# state under ./.orch/ (ORCH_STATE_DIR). Ctrl-C stops both cleanly; dockerd and the task containers keep running and
# are adopted on the next start. Ports: ORCH_GRPC_PORT (7070), ORCH_HTTP_PORT (8080). ORCH_NO_BUILD=1 skips the build.
# It is a secure cluster like any other: gRPC over TLS with the cluster's CA, the admin key the control plane creates
# on its first start (.orch/controlplane/orch-admin.json, which ./orch uses by itself), and the agent joined with an
# activation the first time (its client certificate is kept in .orch/agent/pki).
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

./scripts/ensure-docker.sh
./scripts/build-test-images.sh
if [ "${ORCH_NO_BUILD:-}" != 1 ]; then
  echo "Building ..."
  dotnet build Orchestrator.sln -c Release -nologo -v quiet
fi

grpc_port=${ORCH_GRPC_PORT:-7070}
http_port=${ORCH_HTTP_PORT:-8080}
endpoint="https://127.0.0.1:$grpc_port"
state=${ORCH_STATE_DIR:-$root/.orch}
admin_config="$state/controlplane/orch-admin.json"
mkdir -p "$state"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if port_open "$grpc_port" || port_open "$http_port"; then
  echo "Port $grpc_port or $http_port is already in use: set ORCH_GRPC_PORT / ORCH_HTTP_PORT." >&2
  exit 1
fi

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping the agent and the control plane (tasks keep running in Docker; they are adopted on the next start) ..."
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
}
trap stop INT TERM EXIT

dotnet artifacts/bin/ControlPlane/release/ControlPlane.dll \
  --data-dir "$state/controlplane" --grpc-port "$grpc_port" --http-port "$http_port" \
  > >(sed -u 's/^/[controlplane] /') 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do port_open "$http_port" && break; sleep 0.2; done
port_open "$http_port" || { echo "The control plane did not start." >&2; exit 1; }
[ -f "$admin_config" ] || { echo "The control plane wrote no $admin_config." >&2; exit 1; }
export ORCH_CONFIG="$admin_config" ORCH_ENDPOINT="$endpoint"

# The first time, the agent joins with an activation (passed in its environment, not on its command line); after
# that it presents the client certificate it was given.
agent_env=()
if [ ! -f "$state/agent/pki/agent.crt" ]; then
  activation=$(dotnet artifacts/bin/Cli/release/orch.dll activation create --cluster default --description "run.sh: this host" --output json 2>/dev/null)
  json_value() { printf '%s' "$activation" | grep -o "\"$1\": *\"[^\"]*\"" | head -n 1 | sed 's/.*: *"\(.*\)"/\1/'; }
  agent_env=(ORCH_ACTIVATION_ID="$(json_value activationId)" ORCH_ACTIVATION_CODE="$(json_value activationCode)")
  unset activation
fi

env "${agent_env[@]}" dotnet artifacts/bin/Agent/release/Agent.dll \
  --endpoint "$endpoint" --cluster default --data-dir "$state/agent" --ca-file "$state/controlplane/pki/ca.crt" \
  > >(sed -u 's/^/[agent] /') 2>&1 &
pids+=($!)
unset agent_env

cat <<EOT

  Control plane   gRPC $endpoint (TLS)   HTTP http://127.0.0.1:$http_port/healthz
  Agent           cluster "default" on the local Docker engine
  State           $state/
  Admin key       $admin_config (./orch uses it; other tools: ORCH_CONFIG=that file)

  Quickstart, in another terminal:
    ./orch instance list
    ./orch taskdef register --file examples/httpd.json
    ./orch task run --task-definition httpd --wait
    ./orch task list                       # PORTS shows hostPort->80/tcp
    curl http://127.0.0.1:<hostPort>/
    ./orch task stop <task-id>

  Ctrl-C stops both.

EOT

wait -n "${pids[@]}"
