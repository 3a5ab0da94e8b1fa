#!/bin/sh
# Builds the pause program of awsvpc tasks (pause.c) as a static binary: build.sh OUTPUT
# Run by the agent's build (Agent.csproj) on Linux. Without a C compiler it builds nothing and says so: the agent
# then runs no awsvpc tasks (it refuses --awsvpc-interface at start, naming the missing program).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
cc=${CC:-gcc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "No C compiler ($cc): the pause program of awsvpc tasks is not built. Debian: apt-get install gcc libc6-dev" >&2
  exit 0
fi
mkdir -p "$(dirname "$out")"
"$cc" -static -Os -s -Wall -Werror -o "$out.tmp" "$here/pause.c"
mv "$out.tmp" "$out"
