#!/usr/bin/env bash
# Makes sure this machine can run the lab (tests/Lab): several Docker hosts in network namespaces. Needs ip and ss
# (iproute2), nsenter (util-linux), iptables, and containerd, dockerd and docker (docker.io, see ensure-docker.sh).
# Installs what is missing with apt-get; does nothing when all is there.
set -euo pipefail

declare -A package_of=(
  [ip]=iproute2 [ss]=iproute2 [nsenter]=util-linux [iptables]=iptables
  [containerd]=containerd [dockerd]=docker.io [docker]=docker.io
)

missing=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')

if [ "$(id -u)" -ne 0 ]; then
  echo "The lab needs more tools: apt-get install $packages" >&2
  exit 1
fi

echo "Installing for the lab: $packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq $packages >/dev/null
