#!/usr/bin/env bash
# Runs one of the built programs (building it first if needed): scripts/program.sh <Project> <dll name> [args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
project=$1 dll=$2
shift 2
path="$root/artifacts/bin/$project/release/$dll.dll"
if [ ! -f "$path" ]; then
  dotnet build "$root/src/$project" -c Release -nologo -v quiet >&2
fi
exec dotnet "$path" "$@"
