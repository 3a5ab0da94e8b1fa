#!/usr/bin/env bash
# Builds orch as one native executable (Native AOT): no JIT at start, so a call costs tens of milliseconds instead of
# hundreds (bench/task-path.sh prints both). ./orch runs it while it is newer than the JIT build of orch.
#   scripts/build-native-orch.sh [output directory, default artifacts/native/orch]
# Needs a C toolchain (gcc or clang) and zlib1g-dev for the link; prints the executable's path last.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/artifacts/native/orch}
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "build-native-orch.sh: no native build for $(uname -m)" >&2; exit 2 ;;
esac
if ! command -v gcc >/dev/null 2>&1 && ! command -v clang >/dev/null 2>&1 || [ ! -e /usr/include/zlib.h ]; then
  echo "build-native-orch.sh: the native link needs gcc (or clang) and zlib's headers: apt-get install gcc zlib1g-dev" >&2
  exit 1
fi
# JSON goes through generated metadata only (src/Cli/Cli.csproj), so the trimming analysis' warnings about the
# serializer's generic entry points are expected; they must not fail the build as the solution's warnings do.
# Its own build folders (artifacts/native/build): a solution build or test run beside it never shares an obj folder.
dotnet publish "$root/src/Cli" -c Release -r "$rid" -p:PublishAot=true -p:TreatWarningsAsErrors=false \
  -p:StripSymbols=true -p:ArtifactsPath="$root/artifacts/native/build" -o "$out" -nologo -v quiet -clp:ErrorsOnly >&2
rm -f "$out"/*.pdb "$out"/*.dbg
echo "$out/orch"
