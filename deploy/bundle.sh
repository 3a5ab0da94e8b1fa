#!/usr/bin/env bash
# Builds the offline bundle: one archive with everything a host needs to join a cluster or run the control plane
# without a network connection (no .NET, no registry, no package repository):
#
#   deploy/bundle.sh [RID …]        RIDs: linux-x64 linux-arm64 win-x64 (default: all three)
#
#   orch-<version>[-<rid>]/
#     install.sh, install.ps1 (+ its agent-settings.txt), systemd/*.service, README.md, examples/
#     bin/<rid>/{controlplane,agent,orch}/     self-contained programs (the SDK picks the runtime version); orch is
#                                              one native executable for the building machine's own RID
#     images/linux-<arch>/pause.tar            the awsvpc pause image (docker save format, tag orch/pause:<hash>)
#     images/linux-<arch>/busybox.tar          local/busybox:1, when the building machine's Docker has it
#     SHA256SUMS                               every other file's SHA-256; install.sh checks it before installing
#
# into artifacts/bundle/orch-<version>[-<rid>].tar.gz (the suffix only when fewer than the three RIDs are built).
# ORCH_BUNDLE_NO_ARCHIVE=1 leaves the directory without packing it (a test that unpacks it anyway saves the time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
all=(linux-x64 linux-arm64 win-x64)
if [ $# -eq 0 ]; then rids=("${all[@]}"); else rids=("$@"); fi
for rid in "${rids[@]}"; do
  case "$rid" in
    linux-x64 | linux-arm64 | win-x64) ;;
    *) echo "Unknown RID $rid (one of: ${all[*]})." >&2; exit 2 ;;
  esac
done

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")
name="orch-$version"
[ "${#rids[@]}" -eq "${#all[@]}" ] || name="$name-$(IFS=-; echo "${rids[*]}")"
out="$root/artifacts/bundle/$name"
rm -rf "$out" "$out.tar.gz"
mkdir -p "$out/bin" "$out/images"

# The Docker image architecture of a RID.
docker_arch() { case "$1" in linux-x64) echo amd64 ;; linux-arm64) echo arm64 ;; *) echo "" ;; esac; }

# pause_image PROGRAM ARCH ARCHIVE: the pause image as the agent makes it itself (Agent/Awsvpc/PauseImage.cs): one
# layer holding /pause, entrypoint /pause, tagged orch/pause:<first 12 hex digits of the program's SHA-256>, so the
# agent finds it loaded and never loads or pulls it again. Same program, same bytes.
pause_image() {
  local program=$1 arch=$2 archive=$3 work tag diff config_name
  work=$(mktemp -d)
  mkdir -p "$work/layer" "$work/image"
  install -m 755 "$program" "$work/layer/pause"
  tar --format=ustar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/layer" -cf "$work/layer.tar" pause
  tag=$(sha256sum "$program" | cut -c1-12)
  diff=$(sha256sum "$work/layer.tar" | cut -c1-64)
  printf '{"architecture":"%s","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Entrypoint":["/pause"],"Labels":{"org.opencontainers.image.title":"orch pause"}},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"deploy/bundle.sh: the agent'"'"'s pause program"}]}' \
    "$arch" "$diff" >"$work/config.json"
  config_name="$(sha256sum "$work/config.json" | cut -c1-64).json"
  mkdir -p "$work/image/$diff"
  mv "$work/layer.tar" "$work/image/$diff/layer.tar"
  mv "$work/config.json" "$work/image/$config_name"
  printf '[{"Config":"%s","RepoTags":["orch/pause:%s"],"Layers":["%s/layer.tar"]}]' "$config_name" "$tag" "$diff" >"$work/image/manifest.json"
  mkdir -p "$(dirname "$archive")"
  tar --format=ustar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/image" -cf "$archive" manifest.json "$config_name" "$diff"
  rm -rf "$work"
}

host_rid="linux-$(case "$(uname -m)" in x86_64) echo x64 ;; aarch64) echo arm64 ;; *) uname -m ;; esac)"
host_arch=$(docker_arch "$host_rid")
for rid in "${rids[@]}"; do
  started=$SECONDS
  for project in ControlPlane:controlplane Agent:agent Cli:orch; do
    if [ "$project" = Cli:orch ] && [ "$rid" = "$host_rid" ] && [ "${ORCH_BUNDLE_NATIVE_ORCH:-1}" != 0 ]; then
      # orch as one native executable (scripts/build-native-orch.sh): a call starts in milliseconds. Only for this
      # machine's own RID (a native link for another needs that platform's toolchain); the others get the JIT build.
      "$root/scripts/build-native-orch.sh" "$out/bin/$rid/orch" >/dev/null
      continue
    fi
    dotnet publish "$root/src/${project%%:*}" -c Release -r "$rid" --self-contained -p:PublishSingleFile=false \
      -o "$out/bin/$rid/${project##*:}" -nologo -v quiet
  done
  pause="$out/bin/$rid/agent/pause/pause"
  arch=$(docker_arch "$rid")
  # The agent's build compiles the pause program with this machine's C compiler: right for this machine's
  # architecture only. Another Linux architecture needs its cross compiler; Windows runs no awsvpc tasks.
  if [ -n "$arch" ] && [ "$arch" != "$host_arch" ]; then
    rm -f "$pause"
    cross=aarch64-linux-gnu-gcc
    if command -v "$cross" >/dev/null 2>&1; then
      CC=$cross sh "$root/src/Agent/Pause/build.sh" "$pause"
    else
      echo "$rid: no $cross, so no pause program: this agent runs no awsvpc tasks (apt-get install gcc-aarch64-linux-gnu)." >&2
    fi
  elif [ -z "$arch" ]; then
    rm -rf "$out/bin/$rid/agent/pause"
  fi
  if [ -n "$arch" ] && [ -f "$pause" ]; then
    pause_image "$pause" "$arch" "$out/images/linux-$arch/pause.tar"
  fi
  echo "$rid: published in $((SECONDS - started)) s, $(du -sh "$out/bin/$rid" | cut -f1)" >&2
done

# The test image, for the architecture the building machine's Docker has it in.
if command -v docker >/dev/null 2>&1 && docker image inspect local/busybox:1 >/dev/null 2>&1; then
  arch=$(docker image inspect -f '{{.Architecture}}' local/busybox:1)
  for rid in "${rids[@]}"; do
    if [ "$(docker_arch "$rid")" = "$arch" ]; then
      mkdir -p "$out/images/linux-$arch"
      docker save local/busybox:1 -o "$out/images/linux-$arch/busybox.tar"
      chmod 644 "$out/images/linux-$arch/busybox.tar"
      break
    fi
  done
fi

cp -a "$root/deploy/install.sh" "$root/deploy/systemd" "$root/README.md" "$root/examples" "$out/"
cp -a "$root/deploy/windows/install.ps1" "$root/deploy/windows/agent-settings.txt" "$out/"
chmod 755 "$out/install.sh"

# Every file's checksum, paths relative to the bundle (sha256sum -c format).
(cd "$out" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum >SHA256SUMS)

if [ "${ORCH_BUNDLE_NO_ARCHIVE:-0}" = 1 ]; then
  echo "$out"
  exit 0
fi
tar -C "$root/artifacts/bundle" -czf "$out.tar.gz" "$name"
echo "bundle: $(du -sh "$out.tar.gz" | cut -f1) packed, $(du -sh "$out" | cut -f1) unpacked" >&2
echo "$out.tar.gz"
