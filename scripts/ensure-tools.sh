#!/usr/bin/env bash
# Installs the outside programs the build and the tests need: a C compiler and static libc (the agent's build makes
# the pause program of awsvpc tasks with them; with zlib's headers they also link the native orch that
# scripts/build-native-orch.sh and the offline bundle build) and Debian's AWS CLI (/usr/bin/aws, v2), the real ECS client the
# ECS-compatible API is tested against.
set -euo pipefail

missing=()
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || [ -e /usr/lib/aarch64-linux-gnu/libc.a ] || missing+=(libc6-dev)
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
[ -x /usr/bin/aws ] || missing+=(awscli)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
command -v dig >/dev/null 2>&1 || missing+=(dnsutils)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -e /usr/share/zoneinfo/Europe/Paris ] || missing+=(tzdata)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
# The NFS server only serves the real-mount test, which runs only where the kernel has an NFS client.
if grep -qw nfs /proc/filesystems; then command -v ganesha.nfsd >/dev/null 2>&1 || missing+=(nfs-ganesha nfs-ganesha-vfs); fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "The build and tests need: ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "Installing ${missing[*]} ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
