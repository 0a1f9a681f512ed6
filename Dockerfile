# accessctk container image: one static binary (the harness and its embedded reference
# server) on an empty base, run as a non-root user. See "Running in CI and containers"
# in README.md.
#
#   docker build -t accessctk .
#   docker run --rm accessctk run                      # certify the embedded reference: CONFORMANT
#   docker run --rm -v "$PWD/report:/reports" --user "$(id -u):$(id -g)" \
#     -e ACCESSCTK_TOKEN -v "$PWD/fixtures.yaml:/config/fixtures.yaml:ro" \
#     accessctk run --target https://sam.example.com --fixtures /config/fixtures.yaml
#
# deploy/deploy_test.go checks this file's invariants and builds the binary exactly as
# the build stage below does (its ENV and its `go build` line), then runs it as a
# non-root user; `make image-equivalent` does the same by hand.

# GO_IMAGE: any image with Go 1.26 and a POSIX shell (offline builds pass a local one).
ARG GO_IMAGE=golang:1.26-bookworm

FROM ${GO_IMAGE} AS build
ARG VERSION=dev
WORKDIR /src
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary: no cgo (the reference server's SQLite is modernc.org/sqlite, pure
# Go), no paths of the build machine, no VCS stamp (.git is not in the context).
ENV CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false"
RUN go build -ldflags="-s -w -X github.com/accessctk/accessctk/internal/cli.Version=${VERSION}" -o /out/accessctk ./cmd/accessctk
# Refuse a binary that is not what the runtime stage can run: cgo off in its build
# settings and no ELF interpreter (a dynamic binary names one).
RUN go version -m /out/accessctk | grep -q 'CGO_ENABLED=0' \
 && ! grep -q '/lib64/ld-linux\|/lib/ld-' /out/accessctk
# The runtime's whole file system: a non-root user, CA certificates for https targets,
# /tmp, and a static busybox as /bin/sh (a Kubernetes Job computes its shard with
# $((...)), and CI systems such as GitLab run their job scripts through sh).
RUN [ -x /bin/busybox ] || { apt-get update && apt-get install -y --no-install-recommends busybox-static; } \
 && mkdir -p /out/rootfs/bin /out/rootfs/etc/ssl/certs /out/rootfs/tmp /out/reports /out/home \
 && cp /bin/busybox /out/rootfs/bin/busybox \
 && ln -s busybox /out/rootfs/bin/sh \
 && /out/rootfs/bin/busybox true \
 && cp /etc/ssl/certs/ca-certificates.crt /out/rootfs/etc/ssl/certs/ \
 && echo 'root:x:0:0:root:/root:/sbin/nologin' > /out/rootfs/etc/passwd \
 && echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >> /out/rootfs/etc/passwd \
 && printf 'root:x:0:\nnonroot:x:65532:\n' > /out/rootfs/etc/group \
 && chmod 1777 /out/rootfs/tmp

FROM scratch
COPY --from=build /out/rootfs/ /
COPY --from=build --chown=65532:65532 /out/home /home/nonroot
# The report directory: mount a volume here to keep the reports (results.json,
# junit.xml, summary.md, report.html, cucumber.json).
COPY --from=build --chown=65532:65532 /out/reports /reports
COPY --from=build /out/accessctk /usr/local/bin/accessctk
ENV HOME=/home/nonroot ACCESSCTK_OUT=/reports PATH=/usr/local/bin:/bin
WORKDIR /reports
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/accessctk"]
CMD ["run"]
