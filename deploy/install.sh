#!/usr/bin/env bash
# Installs the control plane or the agent from an offline bundle (see bundle.sh), as a systemd service.
#
#   ./install.sh controlplane [--listen 0.0.0.0] [--grpc-port 7070] [--http-port 8080] [--data-dir DIR]
#                [--tls-san NAME,…] [--prefix DIR] [--no-systemd] [--no-start]
#   ./install.sh agent --endpoint https://CONTROL-PLANE:7070 --cluster C --activation-id ID --activation-code CODE
#                [--ca-fingerprint sha256:… | --ca-file FILE] [--attributes k=v,…] [--docker-host URL]
#                [--data-dir DIR] [--prefix DIR] [--from DIR | --from-bundle DIR] [--docker-install] [--no-systemd]
#                [--upgrade | --uninstall]
#
# From a bundle (bundle.sh; auto-detected when install.sh runs from an unpacked bundle, or --from-bundle DIR) it
# first checks the bundle's SHA256SUMS (the files of this machine's architecture), takes the self-contained programs
# of this machine (bin/linux-x64 or bin/linux-arm64) and loads the bundle's images into Docker (docker load: the
# pause image of awsvpc tasks, busybox): nothing is downloaded, the only address used is the control plane's.
#
# install.sh controlplane installs the control plane with its settings (/etc/orch/controlplane.env), data dir and
# systemd unit, starts it, waits until it answers an authenticated call, and on the first install prints the admin
# access key (read from DATA_DIR/orch-admin.json, never written to a log) and that orch configuration file. Run it
# again and it keeps the data dir: the same CA and admin key, none printed again.
#
# The agent's activation (id, code and the CA fingerprint) comes from `orch activation create`. install.sh agent
# checks the OS and Docker, installs the agent, writes its settings (the activation code in a 0600 file, never on a
# command line), starts it (systemd, or with --no-systemd a background process whose pid and log files are under
# the prefix) and waits until it has registered. Run it again and the host keeps its identity (no new activation
# needed); --upgrade insists on that (a host that joined before): the program is replaced, the data dir and identity
# kept, and the running tasks' containers adopted by the new agent, not restarted; --uninstall stops the agent,
# deregisters its container instance and removes what was installed.
# --from DIR takes the agent from a framework-dependent build (e.g. artifacts/bin/Agent/release, run with dotnet)
# instead of a bundle's. Options: --prefix DIR (default /opt/orch), --no-start (install files only).
# Nothing is downloaded, except with --docker-install (apt-get install docker.io).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
role=${1:-}
shift || true
prefix=/opt/orch
start=1
systemd=1
uninstall=0
upgrade=0
docker_install=0
from=""
bundle=""
# The activation may also come from the environment (ORCH_ACTIVATION_ID, ORCH_ACTIVATION_CODE): a code given that
# way stays off the command line, where other users of the host could read it (ps).
listen="" grpc_port="" http_port="" tls_san="" endpoint="" cluster=default
activation_id=${ORCH_ACTIVATION_ID:-} activation_code=${ORCH_ACTIVATION_CODE:-}
ca_fingerprint="" ca_file="" attributes="" docker_host="" data_dir=""
register_timeout=${ORCH_INSTALL_TIMEOUT:-60}

usage() { sed -n '2,9p' "$0" >&2; exit 2; }
need() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "$1 needs a value." >&2; exit 2; }; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) need "$@"; prefix=$2; shift 2 ;;
    --no-start) start=0; shift ;;
    --no-systemd) systemd=0; shift ;;
    --uninstall) uninstall=1; shift ;;
    --upgrade) upgrade=1; shift ;;
    --docker-install) docker_install=1; shift ;;
    --from) need "$@"; from=$2; shift 2 ;;
    --from-bundle) need "$@"; bundle=$2; shift 2 ;;
    --listen) need "$@"; listen=$2; shift 2 ;;
    --grpc-port) need "$@"; grpc_port=$2; shift 2 ;;
    --http-port) need "$@"; http_port=$2; shift 2 ;;
    --tls-san) need "$@"; tls_san=$2; shift 2 ;;
    --endpoint) need "$@"; endpoint=$2; shift 2 ;;
    --cluster) need "$@"; cluster=$2; shift 2 ;;
    --activation-id) need "$@"; activation_id=$2; shift 2 ;;
    --activation-code) need "$@"; activation_code=$2; shift 2 ;;
    --ca-fingerprint) need "$@"; ca_fingerprint=$2; shift 2 ;;
    --ca-file) need "$@"; ca_file=$2; shift 2 ;;
    --attributes) need "$@"; attributes=$2; shift 2 ;;
    --docker-host) need "$@"; docker_host=$2; shift 2 ;;
    --data-dir) need "$@"; data_dir=$2; shift 2 ;;
    -h | --help) usage ;;
    *) echo "Unknown option $1" >&2; usage ;;
  esac
done

case "$role" in
  controlplane | agent) ;;
  *) usage ;;
esac
[ "$(uname -s)" = Linux ] || { echo "install.sh supports Linux only (found $(uname -s))." >&2; exit 1; }
if [ "$systemd" -eq 1 ] || [ "$docker_install" -eq 1 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "install.sh needs root (or --no-systemd with a --prefix you can write)." >&2; exit 1; }
fi
[ -z "$from" ] || [ -z "$bundle" ] || { echo "Give --from or --from-bundle, not both." >&2; exit 2; }

# The bundle: given, or the one install.sh runs from (it has SHA256SUMS next to it).
if [ -z "$bundle" ] && [ -z "$from" ] && [ -f "$here/SHA256SUMS" ]; then bundle=$here; fi
case "$(uname -m)" in
  x86_64 | amd64) rid=linux-x64 image_arch=amd64 ;;
  aarch64 | arm64) rid=linux-arm64 image_arch=arm64 ;;
  *) rid="linux-$(uname -m)" image_arch=$(uname -m) ;;
esac
if [ -n "$bundle" ]; then
  [ -f "$bundle/SHA256SUMS" ] || { echo "--from-bundle $bundle has no SHA256SUMS: not an unpacked bundle (deploy/bundle.sh)." >&2; exit 1; }
  bundle=$(cd "$bundle" && pwd)
  [ -d "$bundle/bin/$rid" ] || { echo "The bundle $bundle has no programs for this machine ($rid): build one with deploy/bundle.sh $rid." >&2; exit 1; }
  # Every file this machine uses (its own programs, the images, the scripts), before anything is installed.
  command -v sha256sum >/dev/null 2>&1 || { echo "sha256sum is missing (coreutils): the bundle cannot be checked." >&2; exit 1; }
  if ! problems=$(cd "$bundle" && awk -v rid="$rid" '{ p = $2; sub(/^\*/, "", p) } p !~ /^bin\// || index(p, "bin/" rid "/") == 1' SHA256SUMS \
      | sha256sum --quiet --strict -c - 2>&1); then
    echo "The bundle $bundle does not match its SHA256SUMS; nothing was installed:" >&2
    echo "$problems" | head -n 10 >&2
    exit 1
  fi
  echo "Checked the bundle $bundle against its SHA256SUMS ($rid)."
  programs=$bundle/bin/$rid
  scripts=$bundle
else
  programs=$here/bin/$rid
  scripts=$here
fi

prefix=$(mkdir -p "$prefix" && cd "$prefix" && pwd)
# With systemd the settings live in /etc/orch; without, everything stays under the prefix (tests never touch /etc).
if [ "$systemd" -eq 1 ]; then etc=/etc/orch; else etc=$prefix/etc/orch; fi
unit="orch-$role.service"
unit_file=/etc/systemd/system/$unit
run_dir=$prefix/run
log_dir=$prefix/log

# The orch CLI of the bundle, installed beside the programs (and on PATH under systemd).
install_orch() {
  [ -d "$programs/orch" ] || return 0
  rm -rf "$prefix/bin/orch"
  cp -a "$programs/orch" "$prefix/bin/orch"
  cp -a "$scripts/README.md" "$scripts/examples" "$prefix/" 2>/dev/null || true
  [ "$systemd" -eq 0 ] || ln -sf "$prefix/bin/orch/orch" /usr/local/bin/orch
}

# A pid file is trusted only while its pid still runs PROGRAM: a pid file outlives its process, and pids are reused.
pid_of() { # pid_file program
  [ -f "$1" ] || return 1
  local pid
  pid=$(cat "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -qa "$2" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

stop_background() { # pid_file program
  local pid waited=0
  if pid=$(pid_of "$1" "$2"); then
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 300 ]; do sleep 0.1; waited=$((waited + 1)); done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}

if [ "$role" = controlplane ]; then
  # ------------------------------------------------------------------------------------------------ control plane
  [ "$uninstall" -eq 0 ] && [ "$upgrade" -eq 0 ] || { echo "--uninstall and --upgrade are for the agent only." >&2; exit 2; }
  [ -z "$from" ] || { echo "install.sh controlplane installs from a bundle only (--from-bundle DIR)." >&2; exit 2; }
  [ -x "$programs/controlplane/ControlPlane" ] || { echo "$programs/controlplane is missing: run install.sh from an unpacked bundle, or give --from-bundle DIR." >&2; exit 1; }
  env_file=$etc/controlplane.env
  pid_file=$run_dir/orch-controlplane.pid
  log_file=$log_dir/orch-controlplane.log
  previous() { [ -f "$env_file" ] && sed -n "s/^$1=//p" "$env_file" | tail -n 1 || true; }
  # What an earlier install wrote wins where this run says nothing: a second run keeps the data dir (CA, admin key).
  [ -n "$data_dir" ] || data_dir=$(previous ORCH_DATA_DIR)
  [ -n "$listen" ] || listen=$(previous ORCH_LISTEN)
  [ -n "$grpc_port" ] || grpc_port=$(previous ORCH_GRPC_PORT)
  [ -n "$http_port" ] || http_port=$(previous ORCH_HTTP_PORT)
  [ -n "$tls_san" ] || tls_san=$(previous ORCH_TLS_SAN)
  if [ -z "$data_dir" ]; then
    if [ "$systemd" -eq 1 ]; then data_dir=/var/lib/orch-controlplane; else data_dir=$prefix/var/lib/orch-controlplane; fi
  fi
  listen=${listen:-127.0.0.1} grpc_port=${grpc_port:-7070} http_port=${http_port:-8080}
  admin_config=$data_dir/orch-admin.json
  had_admin=0
  [ -f "$admin_config" ] && had_admin=1

  if [ "$systemd" -eq 1 ]; then
    if [ -f "$unit_file" ]; then systemctl stop "$unit" 2>/dev/null || true; fi
  else
    stop_background "$pid_file" ControlPlane
  fi
  mkdir -p "$prefix/bin" "$etc" "$run_dir" "$log_dir" "$data_dir"
  chmod 700 "$data_dir"
  rm -rf "$prefix/bin/controlplane.new"
  cp -a "$programs/controlplane" "$prefix/bin/controlplane.new"
  rm -rf "$prefix/bin/controlplane"
  mv "$prefix/bin/controlplane.new" "$prefix/bin/controlplane"
  install_orch
  (
    umask 077
    {
      echo "ORCH_DATA_DIR=$data_dir"
      echo "ORCH_LISTEN=$listen"
      echo "ORCH_GRPC_PORT=$grpc_port"
      echo "ORCH_HTTP_PORT=$http_port"
      # Other names agents reach it by (DNS names, a public address): its TLS certificate carries them.
      echo "ORCH_TLS_SAN=$tls_san"
    } >"$env_file.new"
    mv "$env_file.new" "$env_file"
  )
  echo "Installed the control plane into $prefix/bin/controlplane (settings: $env_file, data: $data_dir)."
  [ "$start" -eq 1 ] || { echo "Not started (--no-start)."; exit 0; }

  if [ "$systemd" -eq 1 ]; then
    sed -e "s|/etc/orch/controlplane.env|$env_file|" -e "s|/opt/orch|$prefix|g" "$scripts/systemd/$unit" >"$unit_file"
    systemctl daemon-reload
    since=$(date '+%Y-%m-%d %H:%M:%S')
    systemctl enable "$unit" >/dev/null 2>&1
    systemctl restart "$unit" || true
    cp_log() { journalctl -u "$unit" --since "$since" --no-pager -o cat 2>/dev/null || true; }
    cp_alive() { case "$(systemctl is-active "$unit" 2>/dev/null)" in active | activating) return 0 ;; *) return 1 ;; esac; }
  else
    [ ! -f "$log_file" ] || mv -f "$log_file" "$log_file.1"
    # Its output goes to the log file, not a terminal: the control plane never prints the admin secret there.
    (exec setsid "$prefix/bin/controlplane/ControlPlane" --data-dir "$data_dir" --listen "$listen" \
      --grpc-port "$grpc_port" --http-port "$http_port" --tls-san "$tls_san" </dev/null >"$log_file" 2>&1) &
    echo $! >"$pid_file"
    cp_log() { cat "$log_file" 2>/dev/null || true; }
    cp_alive() { pid_of "$pid_file" ControlPlane >/dev/null; }
  fi

  # Until it answers an authenticated call with its own admin configuration (orch cluster list).
  deadline=$((SECONDS + register_timeout))
  answered=0
  while [ "$SECONDS" -lt "$deadline" ]; do
    if [ -f "$admin_config" ] && ORCH_CONFIG=$admin_config "$prefix/bin/orch/orch" cluster list >/dev/null 2>&1; then
      answered=1
      break
    fi
    cp_alive || break
    sleep 0.5
  done
  if [ "$answered" -eq 0 ]; then
    if cp_alive; then echo "The control plane did not answer within ${register_timeout} s. Its last lines:" >&2
    else echo "The control plane exited. Its last lines:" >&2; fi
    cp_log | tail -n 20 >&2
    exit 1
  fi

  echo "The control plane answers on https://$listen:$grpc_port (gRPC; agents and orch) and port $http_port (ECS HTTP API)."
  echo "  settings: $env_file"
  echo "  data:     $data_dir (its CA and database)"
  if [ "$systemd" -eq 1 ]; then
    echo "  service:  $unit_file (journalctl -u $unit)"
  else
    echo "  pid:      $pid_file ($(cat "$pid_file"))"
    echo "  log:      $log_file"
  fi
  echo "  orch config (endpoint, CA, admin key; owner-only): $admin_config"
  if [ "$had_admin" -eq 0 ]; then
    key_id=$(sed -n 's/.*"accessKeyId": *"\([^"]*\)".*/\1/p' "$admin_config")
    secret=$(sed -n 's/.*"secretAccessKey": *"\([^"]*\)".*/\1/p' "$admin_config")
    echo
    echo "The admin access key (shown this once; it stays in $admin_config):"
    echo "  ORCH_ACCESS_KEY_ID=$key_id"
    echo "  ORCH_SECRET_ACCESS_KEY=$secret"
    echo
  else
    echo "This control plane was installed before: it kept its data, CA and admin key (in $admin_config)."
  fi
  echo "Try: ORCH_CONFIG=$admin_config $prefix/bin/orch/orch cluster list"
  echo "Join a host: orch cluster create default, then orch activation create --cluster default (it prints the install.sh line)"
  exit 0
fi

# ---------------------------------------------------------------------------------------------------------- agent
env_file=$etc/agent.env
pid_file=$run_dir/orch-agent.pid
log_file=$log_dir/orch-agent.log
agent_dir=$prefix/bin/agent

# What an earlier install wrote wins where this run says nothing: a second run needs no options again.
previous() { [ -f "$env_file" ] && sed -n "s/^$1=//p" "$env_file" | tail -n 1 || true; }
if [ -f "$env_file" ]; then
  [ -n "$endpoint" ] || endpoint=$(previous ORCH_ENDPOINT)
  [ -n "$data_dir" ] || data_dir=$(previous ORCH_DATA_DIR)
  [ -n "$docker_host" ] || docker_host=$(previous ORCH_DOCKER_HOST)
  [ -n "$attributes" ] || attributes=$(previous ORCH_ATTRIBUTES)
  [ -n "$ca_file" ] || ca_file=$(previous ORCH_CA_FILE)
  [ -n "$ca_fingerprint" ] || ca_fingerprint=$(previous ORCH_CA_FINGERPRINT)
  if [ "$cluster" = default ] && [ -n "$(previous ORCH_CLUSTER)" ]; then cluster=$(previous ORCH_CLUSTER); fi
fi
if [ -z "$data_dir" ]; then
  if [ "$systemd" -eq 1 ]; then data_dir=/var/lib/orch-agent; else data_dir=$prefix/var/lib/orch-agent; fi
fi
[ -n "$docker_host" ] || docker_host=unix:///var/run/docker.sock

# The command that runs the agent: the bundle's self-contained program, or dotnet with a framework-dependent build.
launcher() {
  if [ -f "$agent_dir/.framework-dependent" ]; then echo "$(command -v dotnet) $agent_dir/Agent.dll"; else echo "$agent_dir/Agent"; fi
}

running_pid() { pid_of "$pid_file" Agent; }

stop_agent() {
  if [ "$systemd" -eq 1 ]; then
    if [ -f "$unit_file" ]; then systemctl stop "$unit" 2>/dev/null || true; fi
    return
  fi
  stop_background "$pid_file" Agent
}

if [ "$uninstall" -eq 1 ]; then
  stop_agent
  if [ -f "$data_dir/pki/agent.crt" ] && [ -d "$agent_dir" ] && [ -f "$env_file" ]; then
    # The instance's own certificate proves who asks: no admin key is needed on the host.
    # shellcheck disable=SC2046
    if (set -a && . "$env_file" && set +a && exec $(launcher) --deregister); then
      echo "Deregistered this host's container instance."
    else
      echo "Could not deregister the container instance (see above); deregister it with orch instance deregister --force." >&2
    fi
  fi
  if [ "$systemd" -eq 1 ] && [ -f "$unit_file" ]; then
    systemctl disable "$unit" 2>/dev/null || true
    rm -f "$unit_file"
    systemctl daemon-reload || true
  fi
  # The data dir holds the host's private key: nothing secret stays behind.
  rm -rf "$agent_dir" "$env_file" "$data_dir" "$run_dir" "$log_file"
  rmdir "$etc" "$prefix/bin" "$log_dir" 2>/dev/null || true
  echo "Removed the agent (program $agent_dir, settings $env_file, data $data_dir)."
  exit 0
fi

[ -n "$endpoint" ] || { echo "install.sh agent needs --endpoint https://CONTROL-PLANE:7070" >&2; exit 2; }
joined=0
[ -f "$data_dir/pki/agent.crt" ] && joined=1
if [ "$upgrade" -eq 1 ] && [ "$joined" -eq 0 ]; then
  echo "Nothing to upgrade: this host has not joined ($data_dir/pki/agent.crt is missing); install it first." >&2
  exit 2
fi
if [ "$joined" -eq 0 ] && [ "${endpoint#https://}" != "$endpoint" ]; then
  [ -n "$activation_id" ] && [ -n "$activation_code" ] || {
    echo "This host has not joined yet: give --activation-id and --activation-code (orch activation create prints them)." >&2
    exit 2
  }
  [ -n "$ca_fingerprint" ] || [ -n "$ca_file" ] || {
    echo "Give --ca-fingerprint sha256:… (orch activation create prints it) or --ca-file: the agent must know the cluster CA." >&2
    exit 2
  }
fi
if [ -n "$ca_file" ]; then
  [ -f "$ca_file" ] || { echo "--ca-file $ca_file does not exist." >&2; exit 2; }
  ca_file=$(cd "$(dirname "$ca_file")" && pwd)/$(basename "$ca_file")
fi

# Docker: the agent runs tasks on it.
docker_socket=""
case "$docker_host" in unix://*) docker_socket=${docker_host#unix://} ;; esac
docker_ok() {
  if [ -n "$docker_socket" ]; then [ -S "$docker_socket" ] || return 1; fi
  if command -v docker >/dev/null 2>&1; then docker -H "$docker_host" version --format '{{.Server.Version}}' >/dev/null 2>&1 || return 1; fi
  return 0
}
if ! docker_ok; then
  if [ "$docker_install" -eq 1 ]; then
    command -v apt-get >/dev/null 2>&1 || { echo "--docker-install needs apt-get (Debian or Ubuntu); install Docker yourself." >&2; exit 1; }
    echo "Installing Docker (apt-get install docker.io)…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io >/dev/null
    command -v systemctl >/dev/null 2>&1 && systemctl enable --now docker >/dev/null 2>&1 || true
    docker_ok || { echo "Docker was installed but does not answer at $docker_host." >&2; exit 1; }
  else
    echo "No Docker engine answers at $docker_host. Install one (Debian/Ubuntu: apt-get install docker.io, or run install.sh with --docker-install)." >&2
    exit 1
  fi
fi

# The program.
if [ -n "$from" ]; then
  [ -f "$from/Agent.dll" ] || { echo "--from $from holds no Agent.dll (a build output such as artifacts/bin/Agent/release)." >&2; exit 1; }
  command -v dotnet >/dev/null 2>&1 || { echo "--from needs dotnet on PATH to run $from/Agent.dll." >&2; exit 1; }
  source_dir=$(cd "$from" && pwd)
else
  [ -x "$programs/agent/Agent" ] || { echo "$programs/agent is missing: run install.sh from an unpacked bundle, or give --from-bundle DIR or --from DIR." >&2; exit 1; }
  source_dir=$programs/agent
fi
stop_agent
mkdir -p "$prefix/bin" "$etc" "$run_dir" "$log_dir"
rm -rf "$agent_dir.new"
cp -a "$source_dir" "$agent_dir.new"
[ -z "$from" ] || touch "$agent_dir.new/.framework-dependent"
rm -rf "$agent_dir"
mv "$agent_dir.new" "$agent_dir"
[ -n "$from" ] || install_orch

# The bundle's images for this architecture (the awsvpc pause image, busybox), into the Docker the agent uses: a host
# with no registry in reach has them anyway. docker load from a file talks to the engine only.
if [ -n "$bundle" ] && [ -d "$bundle/images/linux-$image_arch" ]; then
  for archive in "$bundle/images/linux-$image_arch"/*.tar; do
    [ -f "$archive" ] || continue
    if ! command -v docker >/dev/null 2>&1; then
      echo "No docker command: the bundle's images are not loaded (the agent loads its pause image itself)." >&2
      break
    fi
    loaded=$(docker -H "$docker_host" load -q -i "$archive") || { echo "docker load -i $archive failed." >&2; exit 1; }
    echo "${loaded:-Loaded $archive}"
  done
fi

# The settings. The activation code is a secret: the file is readable by its owner only. Once the host has joined
# (its data dir holds a client certificate) the code is no longer needed and is not written again.
mkdir -p "$data_dir"
chmod 700 "$data_dir"
(
  umask 077
  {
    echo "ORCH_ENDPOINT=$endpoint"
    echo "ORCH_CLUSTER=$cluster"
    echo "ORCH_DATA_DIR=$data_dir"
    echo "ORCH_DOCKER_HOST=$docker_host"
    [ -z "$attributes" ] || echo "ORCH_ATTRIBUTES=$attributes"
    [ -z "$ca_file" ] || echo "ORCH_CA_FILE=$ca_file"
    [ -z "$ca_fingerprint" ] || echo "ORCH_CA_FINGERPRINT=$ca_fingerprint"
    if [ "$joined" -eq 0 ] && [ -n "$activation_id" ]; then
      echo "ORCH_ACTIVATION_ID=$activation_id"
      echo "ORCH_ACTIVATION_CODE=$activation_code"
    fi
  } >"$env_file.new"
  chmod 600 "$env_file.new"
  mv "$env_file.new" "$env_file"
)

if [ "$start" -eq 0 ]; then
  echo "Installed the agent into $agent_dir (settings: $env_file); not started (--no-start)."
  exit 0
fi

# Start it, and remember where its log is read from.
if [ "$systemd" -eq 1 ]; then
  exec_start=$(launcher)
  sed -e "s|^ExecStart=.*|ExecStart=$exec_start|" -e "s|/etc/orch/agent.env|$env_file|" -e "s|/opt/orch|$prefix|g" \
    -e "s|^StateDirectory=.*|# data: $data_dir|" "$scripts/systemd/$unit" >"$unit_file"
  systemctl daemon-reload
  since=$(date '+%Y-%m-%d %H:%M:%S')
  systemctl enable "$unit" >/dev/null 2>&1
  systemctl restart "$unit" || true   # a failed start is reported below, with the agent's log
  agent_log() { journalctl -u "$unit" --since "$since" --no-pager -o cat 2>/dev/null || true; }
  agent_alive() { case "$(systemctl is-active "$unit" 2>/dev/null)" in active | activating) return 0 ;; *) return 1 ;; esac; }
else
  [ ! -f "$log_file" ] || mv -f "$log_file" "$log_file.1"
  # The secrets reach the agent through its environment only; setsid: it outlives this script and its terminal.
  # shellcheck disable=SC2046
  (set -a && . "$env_file" && set +a && exec setsid $(launcher) </dev/null >"$log_file" 2>&1) &
  echo $! >"$pid_file"
  agent_log() { cat "$log_file" 2>/dev/null || true; }
  agent_alive() { running_pid >/dev/null; }
fi

# Wait until it has registered (or failed).
deadline=$((SECONDS + register_timeout))
arn=""
while [ "$SECONDS" -lt "$deadline" ]; do
  arn=$(agent_log | sed -n 's/.*Registered as \(arn:[^ ]*\).*/\1/p' | tail -n 1)
  [ -z "$arn" ] || break
  agent_alive || break
  sleep 0.5
done

if [ -z "$arn" ]; then
  if agent_alive; then
    echo "The agent did not register within ${register_timeout} s. Its last lines:" >&2
  else
    echo "The agent exited without registering. Its last lines:" >&2
    [ "$systemd" -eq 1 ] || rm -f "$pid_file"
  fi
  agent_log | tail -n 20 >&2
  exit 1
fi

echo "Registered as $arn"
echo "  program:  $(launcher)"
echo "  settings: $env_file"
echo "  data:     $data_dir"
if [ "$systemd" -eq 1 ]; then
  echo "  service:  $unit_file (journalctl -u $unit)"
else
  echo "  pid:      $pid_file ($(cat "$pid_file"))"
  echo "  log:      $log_file"
fi
[ "$joined" -eq 1 ] && echo "This host had joined before: it kept its identity (no activation used)." || true
[ "$upgrade" -eq 0 ] || echo "Upgraded the agent in place: its running tasks' containers are adopted, not restarted."
