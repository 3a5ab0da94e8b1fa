#!/usr/bin/env bash
# Runs one of the built programs (building it first if needed): scripts/program.sh <Project> <dll name> [args...]
# For orch (Cli), the native build (scripts/build-native-orch.sh) is run instead while it is newer than every assembly
# of the JIT build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
project=$1 dll=$2
shift 2
path="$root/artifacts/bin/$project/release/$dll.dll"
if [ ! -f "$path" ]; then
  dotnet build "$root/src/$project" -c Release -nologo -v quiet >&2
fi
native="$root/artifacts/native/$dll/$dll"
if [ "$project" = Cli ] && [ "${ORCH_NATIVE:-1}" != 0 ] && [ -x "$native" ] \
  && [ -z "$(find "$(dirname "$path")" -maxdepth 1 -name '*.dll' -newer "$native" -print -quit)" ]; then
  exec "$native" "$@" # no assembly of the JIT build (orch's, or the Ecs and Contracts it carries) is newer
fi
exec dotnet "$path" "$@"
