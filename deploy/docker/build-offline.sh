#!/usr/bin/env bash
# Builds the image from the repository's Dockerfile on a machine that has a Docker
# engine but cannot pull golang:1.26 (no registry reachable), then runs it.
#
# The build stage's base is made here instead of pulled: this machine's Go toolchain
# (go env GOROOT), a static busybox unpacked from Debian's busybox-static package
# (apt-get download: nothing is installed) and the CA certificates, imported with
# `docker import`. The Dockerfile is used as it is (GO_IMAGE is its build argument);
# the build reaches the Go module proxy through the host's network. The final stage is
# FROM scratch, so nothing else is needed.
#
# Usage: deploy/docker/build-offline.sh        (IMAGE=accessctk:dev by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
IMAGE="${IMAGE:-accessctk:dev}"
GO_BASE="${GO_BASE:-accessctk-local/go:1.26}"

docker version --format 'Docker engine {{.Server.Version}}' || {
  echo "no Docker engine answers: start dockerd (or use 'make image-equivalent')" >&2
  exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download busybox-static >/dev/null && dpkg-deb -x busybox-static_*.deb pkg)
root="$work/root"
mkdir -p "$root/bin" "$root/usr/local" "$root/etc/ssl/certs" "$root/tmp" "$root/root"
cp "$work/pkg/bin/busybox" "$root/bin/busybox"
for applet in sh mkdir cp ln echo printf chmod grep true cat ls rm env; do
  ln -s busybox "$root/bin/$applet"
done
cp -a "$(go env GOROOT)" "$root/usr/local/go"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
chmod 1777 "$root/tmp"
tar -C "$root" -cf - . | docker import -c 'ENV PATH=/usr/local/go/bin:/bin GOTOOLCHAIN=local HOME=/root' - "$GO_BASE"

# The legacy builder needs nothing but the engine; BuildKit works too where installed.
DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}" docker build --network=host \
  --build-arg GO_IMAGE="$GO_BASE" --build-arg VERSION="$(git describe --always --dirty 2>/dev/null || echo dev)" \
  -t "$IMAGE" .

docker image ls "$IMAGE"
echo "== docker run --rm --network=none $IMAGE   (the default command: run)"
out="$(docker run --rm --network=none "$IMAGE" 2>&1)" || { echo "$out"; exit 1; }
echo "$out" | tail -n 1
echo "$out" | grep -q '^Verdict: CONFORMANT' || { echo "the image did not certify the embedded reference server" >&2; exit 1; }
