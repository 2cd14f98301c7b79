package ca_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
)

// TestInitRefusesToOverwrite: init creates the CA once; a second init
// changes nothing; ca.Open loads the same CA again.
func TestInitRefusesToOverwrite(t *testing.T) {
	cfg := catest.Config(t)
	cfg.CA.Issuer512 = true
	res, err := cadir.Init(cfg, catest.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Issuers, ",") != "gost256,gost512" || res.GeneratedPassphrase == "" {
		t.Fatalf("init: %+v", res)
	}
	st, err := os.Stat(res.GeneratedPassphrase)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("passphrase file: %v %v", err, st)
	}
	manifest, _ := os.ReadFile(filepath.Join(cfg.DataDir, cadir.ManifestFile))
	if _, err := cadir.Init(cfg, catest.Quiet()); !errors.Is(err, cadir.ErrCAExists) {
		t.Fatalf("second init: %v", err)
	}
	again, _ := os.ReadFile(filepath.Join(cfg.DataDir, cadir.ManifestFile))
	if !bytes.Equal(manifest, again) {
		t.Fatal("second init changed the manifest")
	}
	e := catest.Open(t, cfg)
	if got := len(e.Issuers()); got != 2 {
		t.Fatalf("%d issuers", got)
	}
	// Both issuers sign.
	for _, is := range e.Issuers() {
		req := catest.PersonRequest(t)
		req.Issuer = is.ID
		if is.ID == "gost512" {
			req.CSR = catest.CSR(t, "tc26-512-A")
		}
		r, err := e.Issue(context.Background(), catest.Admin, req)
		if err != nil {
			t.Fatalf("%s: %v", is.ID, err)
		}
		c, err := pkix.ParseCertificate(r.Cert.DER)
		if err != nil || c.CheckSignatureFrom(is.Cert) != nil {
			t.Fatalf("%s: %v", is.ID, err)
		}
	}
}

func TestOpenWithoutCA(t *testing.T) {
	cfg := catest.Config(t)
	if _, err := ca.Open(context.Background(), cfg, ca.Options{Logger: catest.Quiet()}); !errors.Is(err, cadir.ErrNoCA) {
		t.Fatalf("open without a CA: %v", err)
	}
}

func TestWrongPassphrase(t *testing.T) {
	cfg := catest.Config(t)
	if _, err := cadir.Init(cfg, catest.Quiet()); err != nil {
		t.Fatal(err)
	}
	pf := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(pf, []byte("a different passphrase"), 0o600)
	cfg.Keys.PassphraseFile = pf
	_, err := ca.Open(context.Background(), cfg, ca.Options{Logger: catest.Quiet()})
	if err == nil || strings.Contains(err.Error(), "a different passphrase") {
		t.Fatalf("wrong passphrase: %v", err)
	}
}

func TestIssueErrors(t *testing.T) {
	e := catest.Open(t, catest.Config(t))
	ctx := context.Background()
	for _, c := range []struct {
		name string
		mod  func(*ca.IssueRequest)
		code string
	}{
		{"bad SNILS", func(r *ca.IssueRequest) { r.Subject.SNILS = "11223344596" }, caerr.CodeSubjectInvalid},
		{"unknown profile", func(r *ca.IssueRequest) { r.Profile = "x" }, caerr.CodeUnknownProfile},
		{"unknown issuer", func(r *ca.IssueRequest) { r.Issuer = "x" }, caerr.CodeUnknownIssuer},
		{"garbage CSR", func(r *ca.IssueRequest) { r.CSR = []byte("garbage") }, "csr.encoding.malformed"},
		{"bad identification kind", func(r *ca.IssueRequest) { r.IdentificationKind = 7 }, caerr.CodeInvalidRequest},
		{"bad idempotency key", func(r *ca.IssueRequest) { r.IdempotencyKey = "a b" }, caerr.CodeInvalidRequest},
	} {
		req := catest.PersonRequest(t)
		c.mod(req)
		if _, err := e.Issue(ctx, catest.Admin, req); caerr.CodeOf(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	seq, _, _ := e.Store().AuditHead(ctx)
	if seq != 0 {
		t.Fatalf("%d audit entries after rejected requests", seq)
	}
}
