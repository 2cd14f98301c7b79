# GostCA — see README.md.
GO        ?= go
BIN       := bin/gostca
# Fuzz budgets are execution counts, not durations: Go 1.26's fuzz
# coordinator can report a spurious "context deadline exceeded" when a
# duration runs out under load (golang/go#75804, fixed in Go 1.27).
# Sized for a few seconds each on the CI machine (the GOST targets compare
# with a math/big reference, the hash target with a byte-wise one).
FUZZ_GOST  ?= 2000x
FUZZ_HASH  ?= 5000x
FUZZ_PARSE ?= 100000x
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build test test-short fuzz bench bench-gost run lint clean

build:
	$(GO) build -o $(BIN) ./cmd/gostca

# The whole suite: race detector on, every package, then each fuzz target
# for a short time so the fuzzers themselves stay exercised.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	$(MAKE) fuzz

test-short:
	$(GO) test -count=1 ./...

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzNewPublicKey$$' -fuzztime $(FUZZ_GOST) ./gost/gost3410/
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime $(FUZZ_GOST) ./gost/gost3410/
	$(GO) test -run '^$$' -fuzz '^FuzzWriter$$' -fuzztime $(FUZZ_HASH) ./gost/streebog/
	$(GO) test -run '^$$' -fuzz '^FuzzParseCertificateRequest$$' -fuzztime $(FUZZ_PARSE) ./pkix/
	$(GO) test -run '^$$' -fuzz '^FuzzParseOCSPRequest$$' -fuzztime $(FUZZ_PARSE) ./pkix/
	$(GO) test -run '^$$' -fuzz '^FuzzParseCRL$$' -fuzztime $(FUZZ_PARSE) ./pkix/

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# GOST sign / verify / Streebog, ours next to OpenSSL's gost engine in one
# process on one core, with the ratio per row (needs libssl-dev and
# libengine-gost-openssl; see bench/README.md).
bench-gost:
	GOMAXPROCS=1 $(GO) run -tags openssl ./bench/gostbench -all

run: build
	./$(BIN) serve

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(STATICCHECK) ./...

clean:
	rm -rf bin
