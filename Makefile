# accessctk: every target works on a fresh machine with only Go, gcc and make.
GO          ?= go
BIN         := bin/accessctk
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Packages with concurrency run under the race detector in `make test`; -short there
# leaves out what the first pass already proved (the kill matrix, the scale tests).
RACE_PKGS   := ./internal/target/... ./internal/reference/... ./steps/... ./internal/runner/...

.PHONY: all build run test lint bench mutants clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/accessctk

## run: the whole suite against the embedded reference server, ending in its verdict
run: build
	./$(BIN) run

## test: unit tests, the end-to-end run (must be CONFORMANT) and the fault kill matrix
test:
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race -short $(RACE_PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## mutants: only the kill matrix (every MUST fault must be caught)
mutants:
	$(GO) test -count=1 -run 'TestKillMatrix' -v ./internal/runner/

clean:
	rm -rf bin accessctk-report
