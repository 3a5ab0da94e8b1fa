#!/usr/bin/env bash
# Installs the control plane or the agent from an offline bundle (see bundle.sh) as a systemd service.
#
#   ./install.sh controlplane [--listen 0.0.0.0] [--grpc-port 7070] [--http-port 8080]
#   ./install.sh agent --endpoint https://CONTROL-PLANE:7070 [--cluster default] \
#                --activation-id ID --activation-code CODE --ca-fingerprint sha256:…   (orch activation create prints them)
#
# Options: --prefix DIR (default /opt/orch), --no-start (install files only). Needs root. Nothing is downloaded:
# the bundle carries self-contained programs; the agent needs a Docker engine (Debian: apt-get install docker.io).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
role=${1:-}
shift || true
prefix=/opt/orch
start=1
listen=127.0.0.1 grpc_port=7070 http_port=8080 endpoint="" cluster=default activation_id="" activation_code="" ca_fingerprint=""

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --no-start) start=0; shift ;;
    --listen) listen=$2; shift 2 ;;
    --grpc-port) grpc_port=$2; shift 2 ;;
    --http-port) http_port=$2; shift 2 ;;
    --endpoint) endpoint=$2; shift 2 ;;
    --cluster) cluster=$2; shift 2 ;;
    --activation-id) activation_id=$2; shift 2 ;;
    --activation-code) activation_code=$2; shift 2 ;;
    --ca-fingerprint) ca_fingerprint=$2; shift 2 ;;
    *) echo "Unknown option $1" >&2; exit 2 ;;
  esac
done

case "$role" in
  controlplane | agent) ;;
  *) sed -n '2,9p' "$0" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "install.sh needs root." >&2; exit 1; }
[ -d "$here/bin/$role" ] || { echo "$here/bin/$role is missing: run install.sh from an unpacked bundle." >&2; exit 1; }

etc=/etc/orch
mkdir -p "$prefix/bin" "$etc"
rm -rf "$prefix/bin/$role"
cp -a "$here/bin/$role" "$prefix/bin/$role"
cp -a "$here/bin/orch" "$prefix/bin/" 2>/dev/null || true
cp -a "$here/README.md" "$here/examples" "$prefix/" 2>/dev/null || true
ln -sf "$prefix/bin/orch/orch" /usr/local/bin/orch

if [ "$role" = controlplane ]; then
  cat >"$etc/controlplane.env" <<EOT
ORCH_DATA_DIR=/var/lib/orch-controlplane
ORCH_LISTEN=$listen
ORCH_GRPC_PORT=$grpc_port
ORCH_HTTP_PORT=$http_port
EOT
else
  [ -n "$endpoint" ] || { echo "install.sh agent needs --endpoint https://CONTROL-PLANE:7070" >&2; exit 2; }
  # The activation code is a secret: the settings file is readable by root only.
  (umask 077 && cat >"$etc/agent.env" <<EOT
ORCH_ENDPOINT=$endpoint
ORCH_CLUSTER=$cluster
ORCH_DATA_DIR=/var/lib/orch-agent
ORCH_ACTIVATION_ID=$activation_id
ORCH_ACTIVATION_CODE=$activation_code
ORCH_CA_FINGERPRINT=$ca_fingerprint
EOT
  )
  if [ -f "$here/images/busybox.tar" ] && command -v docker >/dev/null 2>&1; then
    docker load -i "$here/images/busybox.tar" >/dev/null && echo "Loaded local/busybox:1 for the examples."
  fi
fi

unit="orch-$role.service"
sed "s|/opt/orch|$prefix|g" "$here/systemd/$unit" >"/etc/systemd/system/$unit"
echo "Installed $role into $prefix (settings: $etc/$role.env, unit: /etc/systemd/system/$unit)."
if [ "$start" -eq 1 ]; then
  systemctl daemon-reload
  systemctl enable --now "$unit"
  systemctl --no-pager status "$unit" | head -n 5
fi
