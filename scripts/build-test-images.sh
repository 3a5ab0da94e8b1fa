#!/usr/bin/env bash
# Builds the images the tests and examples use, offline: local/busybox:1 is a static busybox with its applets
# (sh, httpd, sleep, nc, wget, ...) imported into an empty image. Rebuilt only when missing.
set -euo pipefail

if docker image inspect local/busybox:1 >/dev/null 2>&1; then
  exit 0
fi

busybox=/bin/busybox
if ! { [ -x "$busybox" ] && "$busybox" --list >/dev/null 2>&1 && ! ldd "$busybox" >/dev/null 2>&1; }; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "A static busybox is needed to build local/busybox:1: apt-get install busybox-static" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq busybox-static >/dev/null
fi

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/www"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"
echo '<h1>Hello from a task</h1>' >"$rootfs/www/index.html"
tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/bin' -m 'static busybox for tests and examples' - local/busybox:1 >/dev/null
echo "Built local/busybox:1"
