# accessctk: every target works on a fresh machine with only Go, gcc and make.
GO          ?= go
BIN         := bin/accessctk
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCHSTAT   := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
BENCH       ?= .
BENCH_COUNT ?= 6
BENCH_BASE  ?= bench/baseline.txt
# Packages with concurrency run under the race detector in `make test`; -short there
# leaves out what the first pass already proved (the kill matrix, the scale tests).
RACE_PKGS   := ./internal/bounded/... ./internal/target/... ./internal/reference/... ./steps/... ./internal/runner/...

.PHONY: all build run test lint bench mutants clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/accessctk

## run: the whole suite against the embedded reference server, ending in its verdict
run: build
	./$(BIN) run

## test: unit tests, the end-to-end run (must be CONFORMANT) and the fault kill matrix.
## Besides go test's usual lines, each top-level test that took 2 s or more gets a line
## as it ends (internal/runner runs for minutes); testprogress exits 1 on any failure.
TESTPROGRESS := $(GO) run ./internal/tools/testprogress
test:
	$(GO) test -count=1 -json ./... | $(TESTPROGRESS)
	$(GO) test -count=1 -race -short -json $(RACE_PKGS) | $(TESTPROGRESS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## bench: every Go benchmark, BENCH_COUNT times, into bench/new.txt, summarised by
## benchstat against bench/baseline.txt (the numbers BENCHMARKS.md records).
## BENCH=regexp selects benchmarks; BENCH_BASE=file compares with another run.
bench:
	@mkdir -p bench
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCH_COUNT) -timeout 60m ./... | tee bench/new.txt
	@if [ -f '$(BENCH_BASE)' ]; then \
		echo "== benchstat $(BENCH_BASE) bench/new.txt"; \
		$(GO) run $(BENCHSTAT) '$(BENCH_BASE)' bench/new.txt; \
	else \
		$(GO) run $(BENCHSTAT) bench/new.txt; \
	fi
	@echo "== the floor (issue 9's target: suite/floor at most 1.5)"
	@awk '/^BenchmarkFloor/ { for (i = 2; i < NF; i++) if ($$(i+1) == "suite/floor") { s[$$1] += $$i; n[$$1]++ } } \
		END { for (k in s) printf "%s: suite/floor %.2f (mean of %d runs)\n", k, s[k] / n[k], n[k] }' bench/new.txt | sort

## mutants: only the kill matrix (every MUST fault must be caught)
mutants:
	$(GO) test -count=1 -run 'TestKillMatrix' -v ./internal/runner/

clean:
	rm -rf bin accessctk-report

## Running in CI and containers (README.md): the image and the CI recipes.
IMAGE ?= accessctk:dev

.PHONY: ci-recipes image image-offline image-equivalent

## ci-recipes: every recipe run or checked here, against the embedded reference server:
## the GitHub composite action and workflows (their run: steps executed by a local
## runner), the Kubernetes Jobs (each pod's command, kubectl dry run if installed), the
## Dockerfile (invariants, and its build stage run without Docker)
ci-recipes:
	$(GO) test -count=1 -v ./deploy/

## image: the container image (needs a Docker engine that can pull golang:1.26)
image:
	docker build -t $(IMAGE) .

## image-offline: the same Dockerfile where no base image can be pulled (the build
## stage's base made from this machine's Go), then `docker run IMAGE` must be CONFORMANT
image-offline:
	IMAGE=$(IMAGE) deploy/docker/build-offline.sh

## image-equivalent: no Docker at all: the Dockerfile's build stage (its ENV and RUN
## lines) run here, the binary checked static, then run as the image's USER (65532
## when make runs as root, else the current user): it must be CONFORMANT
image-equivalent:
	$(GO) test -count=1 -v -run 'TestDockerfile$$|TestImageEquivalent' ./deploy/
