package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/target"
	"github.com/gostca/gostca/pkix"
)

// splitCSR finds the parts the parser finds, without verifying; the bare
// crypto verifies every request it is given and refuses too few.
func TestBareCrypto(t *testing.T) {
	items, err := target.GenCSRs(2*seenRing+6, []string{"tc26-256-A"}, map[string]string{"tc26-256-A": "gost256"})
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(items[0].PEM)
	parsed, err := pkix.ParseCertificateRequest(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	it, err := splitCSR(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(it.info, parsed.RawTBS) || !bytes.Equal(it.sig, parsed.Signature) || !bytes.Equal(it.spki, parsed.PublicKey.Raw) {
		t.Fatal("splitCSR's parts differ from the parser's")
	}
	if _, err := splitCSR(blk.Bytes[:len(blk.Bytes)-3]); err == nil {
		t.Error("a truncated request was split")
	}
	ctx := context.Background()
	bc, err := bareCrypto(ctx, items, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if bc.Certs != 6 || bc.CPUUS <= 0 || bc.Rate <= 0 {
		t.Errorf("bare crypto of 6 requests: %+v", bc)
	}
	// A request whose signature does not verify stops it with an error.
	bad := append([]target.CSRItem(nil), items...)
	der := bytes.Clone(blk.Bytes)
	der[len(der)-1] ^= 1
	bad[0].PEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	if _, err := bareCrypto(ctx, bad, time.Minute); err == nil || !strings.Contains(err.Error(), "bare crypto") {
		t.Errorf("a bad signature: %v", err)
	}
	if _, err := bareCrypto(ctx, items[:2*seenRing], time.Minute); err == nil {
		t.Error("512 requests were enough")
	}
}
