package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/publish"
	"github.com/gostca/gostca/store"
)

// TestLargeCRLFromFile drives the path of a large CRL — the store's
// revocation index, the streaming builder, the unlinked file it is kept
// in, the HTTP answer read from that file — with 100,000 bulk-loaded
// revocations (4.9 MB, above the 1 MiB from which a CRL leaves the
// heap), and checks that the answer is the CRL the in-memory builder
// makes of the same entries: the TBSCertList byte for byte (the GOST
// signature is randomised), every loaded serial with its date and
// reason, in order. OpenSSL verifies the CRL's signature with the
// issuing CA. The 1M-entry run is bench/e2e's (-crl-sizes).
func TestLargeCRLFromFile(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk loads 100,000 revoked certificates")
	}
	const k = 100_000
	ctx := context.Background()
	cfg := config.DefaultConfig()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Keys.ScryptLogN = 10
	e, err := ca.Open(ctx, cfg, ca.Options{Logger: quietLogger(), CreateDefault: true})
	if err != nil {
		t.Fatal(err)
	}
	var issuer *pkix.Certificate
	for _, is := range e.Issuers() {
		if is.ID == "gost256" {
			issuer = is.Cert
		}
	}
	if err := e.Close(); err != nil || issuer == nil {
		t.Fatalf("close: %v; issuer gost256: %v", err, issuer != nil)
	}

	revokedAt := time.Now().UTC().AddDate(-1, 0, 0).Truncate(time.Second)
	serial := func(n int) []byte {
		b := make([]byte, 16)
		b[0] = 0x7b
		binary.BigEndian.PutUint64(b[8:], uint64(n))
		return b
	}
	want := make([]pkix.RevokedEntry, k)
	for n := range want {
		want[n] = pkix.RevokedEntry{Serial: serial(n), RevokedAt: revokedAt, Reason: pkix.ReasonKeyCompromise}
	}
	certs := func(yield func(*store.BulkCert, error) bool) {
		for n := range k {
			c := &store.BulkCert{Serial: serial(n), IssuerID: "gost256", Profile: pkix.ProfileQualifiedPerson.Name, DER: issuer.Raw,
				NotBefore: revokedAt.AddDate(-1, 0, 0), NotAfter: revokedAt.AddDate(0, 6, 0),
				KeyHash: sha256.Sum256(fmt.Appendf(nil, "large CRL key %d", n)),
				Status:  store.StatusChange{State: store.Revoked, Reason: int(pkix.ReasonKeyCompromise), At: revokedAt}}
			if !yield(c, nil) {
				return
			}
		}
	}
	ak, err := cadir.OpenAuditKey(ctx, &cfg, quietLogger(), false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.BulkLoad(ctx, filepath.Join(cfg.DataDir, cadir.DBDir), store.BulkOptions{Actor: "test", BatchSize: 20_000,
		Options: ak.StoreOptions(store.Options{Logger: quietLogger()})}, certs)
	ak.Close()
	if err != nil {
		t.Fatal(err)
	}

	ts := startServer(t, func(c *config.Config) { c.DataDir = cfg.DataDir })
	o := newOSSL(t)
	ts.writeChain(t, o)
	der := ts.fetchCRL(t, "/crl/gost256.crl")
	got, err := pkix.ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != k {
		t.Fatalf("%d entries, want %d", len(got.Entries), k)
	}

	// The CRL the publisher keeps is the one served, and lives in a file.
	f, err := ts.e.Publisher().CRL(ctx, "gost256")
	if err != nil {
		t.Fatal(err)
	}
	if f.DER != nil || f.Size() != len(der) {
		t.Fatalf("a %d-byte CRL: in memory %v, size %d; want it in a file", len(der), f.DER != nil, f.Size())
	}
	if b, err := f.ReadDER(); err != nil || !bytes.Equal(b, der) {
		t.Fatalf("ReadDER: %v; equal to the answer: %v", err, bytes.Equal(b, der))
	}
	if names, err := os.ReadDir(filepath.Join(cfg.DataDir, publish.SpoolDir)); err != nil || len(names) != 0 {
		t.Fatalf("spool directory: %v %v; want it empty (its files are unlinked)", names, err)
	}

	// The in-memory builder over the loaded entries, same template.
	curve, err := hsm.CurveByName("tc26-256-A")
	if err != nil {
		t.Fatal(err)
	}
	key, err := hsm.GenerateSoftKeyInMemory(curve)
	if err != nil {
		t.Fatal(err)
	}
	if got.SignatureAlgorithm != pkix.GOST256 {
		t.Fatalf("signature algorithm %s", got.SignatureAlgorithm)
	}
	cb := &pkix.CRLBuilder{
		Template: &pkix.CRLTemplate{Issuer: issuer.RawSubject, AuthorityKeyID: issuer.SubjectKeyID, Number: got.Number,
			ThisUpdate: got.ThisUpdate, NextUpdate: got.NextUpdate, SignatureAlgorithm: pkix.GOST256},
		Entries: func(yield func(pkix.RevokedEntry, error) bool) {
			for _, e := range want {
				if !yield(e, nil) {
					return
				}
			}
		},
		SignDigest: func(d []byte) ([]byte, error) { return key.Sign(ctx, d) },
		Verify:     key.Public(),
	}
	var mem bytes.Buffer
	if _, err := cb.WriteTo(&mem); err != nil {
		t.Fatal(err)
	}
	ref, err := pkix.ParseCRL(mem.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.RawTBS, ref.RawTBS) {
		t.Fatalf("the served TBSCertList (%d bytes) differs from the in-memory builder's (%d bytes)", len(got.RawTBS), len(ref.RawTBS))
	}

	o.write("large.crl", der)
	if out := o.run("crl", "-inform", "DER", "-in", "large.crl", "-CAfile", "ca.pem", "-noout", "-verify"); !strings.Contains(out, "verify OK") {
		t.Fatalf("openssl crl -verify:\n%s", out)
	}
}
