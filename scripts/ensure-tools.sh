#!/usr/bin/env bash
# Installs the outside programs the tests drive the control plane with: Debian's AWS CLI (/usr/bin/aws, v2), the
# real ECS client the ECS-compatible API is tested against.
set -euo pipefail

if [ -x /usr/bin/aws ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need the AWS CLI at /usr/bin/aws: apt-get install awscli" >&2
  exit 1
fi

echo "Installing the AWS CLI (awscli) ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq awscli >/dev/null
