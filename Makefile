# GostCA — see README.md.
GO        ?= go
BIN       := bin/gostca
# Fuzz budgets are execution counts, not durations: Go 1.26's fuzz
# coordinator can report a spurious "context deadline exceeded" when a
# duration runs out under load (golang/go#75804, fixed in Go 1.27).
# FUZZ_GOST is for gost/gost3410 (its targets compare with a math/big
# reference), FUZZ_HASH for gost/streebog (a byte-wise reference),
# FUZZ_PARSE for every other target (pkix parsers, store record decoders).
# On 2 shared cores all 11 targets take about 3 minutes from a cold build
# cache, most of it building the instrumented test binaries.
FUZZ_GOST  ?= 2000x
FUZZ_HASH  ?= 5000x
FUZZ_PARSE ?= 100000x
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build test test-short fuzz bench bench-gost bench-e2e bench-e2e-quick run lint clean

build:
	$(GO) build -o $(BIN) ./cmd/gostca

# The whole suite: race detector on, every package (15 min per package:
# the crash tests of cmd/gostca start many server processes); Streebog and
# gost3410 once more with only their pure-Go code (the purego tag, as on
# CPUs without GFNI or MULX/ADX);
# then each fuzz target for a short time so the fuzzers stay exercised.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...
	$(GO) test -count=1 -tags purego ./gost/streebog/ ./gost/gost3410/
	$(MAKE) fuzz

test-short:
	$(GO) test -count=1 ./...

# Every fuzz target in the repository (found by .ci/fuzz, so a new one
# cannot be left out), each for its execution budget.
fuzz:
	GO="$(GO)" FUZZ_GOST=$(FUZZ_GOST) FUZZ_HASH=$(FUZZ_HASH) FUZZ_PARSE=$(FUZZ_PARSE) ./.ci/fuzz

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# GOST sign / verify / Streebog, ours next to OpenSSL's gost engine in one
# process on one core, with the ratio per row (needs libssl-dev and
# libengine-gost-openssl; see bench/README.md).
bench-gost:
	GOMAXPROCS=1 $(GO) run -tags openssl ./bench/gostbench -all

# The end-to-end suite (bench/e2e; bench/README.md): gostca serve built
# from this tree, driven over HTTP from another process, with the OpenSSL
# peers alternating (openssl + the gost engine; the OCSP peer needs root
# for its private network namespace, SoftHSM2 for the PKCS#11 backend).
# results.json, summary.md and the SVG plots go to BENCH_OUT. bench-e2e
# takes about 5 minutes on 2 cores; bench-e2e-quick under one. Extra
# flags: BENCH_FLAGS='-workloads issue,ocsp -rounds 5'.
BENCH_OUT   ?= bench-e2e-results
BENCH_FLAGS ?=
bench-e2e:
	$(GO) run ./bench/e2e -out $(BENCH_OUT) -n 200 -concurrency 1,16,64,256 -rates 50,200,800 \
		-duration 10s -rounds 3 -ocsp-requests 10000 -ocsp-concurrency 64 -crl-sizes 1000,100000 \
		-mixed-rates issue=50,ocsp=500,revoke=10 -mixed-duration 5s -reg-apps 40 -hsm-n 200 $(BENCH_FLAGS)

bench-e2e-quick:
	$(GO) run ./bench/e2e -out $(BENCH_OUT) -n 50 -concurrency 1,16 -rates 20,100 -duration 5s -rounds 1 \
		-ocsp-requests 500 -crl-sizes 1000 -mixed-rates issue=20,ocsp=200,revoke=5 -mixed-duration 2s \
		-reg-apps 10 -hsm-n 50 -hsm-concurrency 1,16 $(BENCH_FLAGS)

run: build
	./$(BIN) serve

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(STATICCHECK) ./...

clean:
	rm -rf bin
