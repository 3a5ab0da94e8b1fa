#!/usr/bin/env bash
# Builds the offline bundle: self-contained programs (no .NET needed on the hosts), the systemd units, install.sh,
# the examples and the local/busybox:1 image, in artifacts/bundle/orch-<version>-<rid>.tar.gz.
#   deploy/bundle.sh [linux-x64|linux-arm64]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rid=${1:-linux-x64}
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")
name="orch-$version-$rid"
out="$root/artifacts/bundle/$name"
rm -rf "$out"
mkdir -p "$out/bin" "$out/images"

publish() { # project, folder
  dotnet publish "$root/src/$1" -c Release -r "$rid" --self-contained -p:PublishSingleFile=false \
    -o "$out/bin/$2" -nologo -v quiet
}
publish ControlPlane controlplane
publish Agent agent
publish Cli orch

cp -a "$root/deploy/install.sh" "$root/deploy/systemd" "$root/README.md" "$out/"
cp -a "$root/examples" "$out/"
if docker image inspect local/busybox:1 >/dev/null 2>&1; then
  docker save local/busybox:1 -o "$out/images/busybox.tar"
fi
tar -C "$root/artifacts/bundle" -czf "$root/artifacts/bundle/$name.tar.gz" "$name"
echo "$root/artifacts/bundle/$name.tar.gz"
