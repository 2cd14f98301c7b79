//go:build cgo

package ca_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/internal/softhsmtest"
	"github.com/gostca/gostca/pkix"
)

// SoftHSM2 has no GOST mechanisms, so the CA keys on it are ECDSA P-256
// and the certificates issued are tls-client ones; the GOST token paths
// are covered by the fake token of package hsm/pkcs11.

// pkcs11Config is a test configuration whose CA keys are made on tok.
func pkcs11Config(t testing.TB, tok *softhsmtest.Token) config.Config {
	cfg := catest.Config(t)
	cfg.CA.Curve = "P-256"
	cfg.Keys.Backend = config.BackendPKCS11
	cfg.PKCS11.Module = tok.Lib
	cfg.PKCS11.TokenLabel = tok.Label
	cfg.PKCS11.PINFile = tok.PINFile
	cfg.PKCS11.Sessions = 2
	cfg.PKCS11.ProbeInterval = 50 * time.Millisecond
	return cfg
}

func tlsClientRequest(t *testing.T, cn string) *ca.IssueRequest {
	t.Helper()
	return &ca.IssueRequest{Profile: pkix.ProfileTLSClient.Name, CSR: catest.ECDSACSR(t, cn), Subject: pkix.Subject{CommonName: cn, Country: "RU"}}
}

// issueAndCheck issues a tls-client certificate and checks it chains to
// the root.
func issueAndCheck(t *testing.T, e *ca.CA, cn string) *pkix.Certificate {
	t.Helper()
	r, err := e.Issue(context.Background(), catest.Admin, tlsClientRequest(t, cn))
	if err != nil {
		t.Fatalf("issue %s: %v", cn, err)
	}
	c, err := pkix.ParseCertificate(r.Cert.DER)
	if err != nil {
		t.Fatal(err)
	}
	is := e.Issuers()[0]
	if err := c.CheckSignatureFrom(is.Cert); err != nil {
		t.Fatalf("%s: %v", cn, err)
	}
	if err := is.Cert.CheckSignatureFrom(e.Root()); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPKCS11CA: init generates the CA keys on a SoftHSM2 token, the CA
// issues through the token, survives the token going away and coming back
// (Ready reports the outage, then recovers by itself), and a restart
// finds the keys again by their references.
func TestPKCS11CA(t *testing.T) {
	tok := softhsmtest.New(t, "gostca-engine")
	cfg := pkcs11Config(t, tok)
	res, err := cadir.Init(cfg, catest.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Issuers, ",") != "ecdsa256" || res.GeneratedPassphrase != "" {
		t.Fatalf("init: %+v", res)
	}
	m, raw := readManifestT(t, cfg.DataDir)
	for _, e := range append([]cadir.ManifestEntry{m.Root}, m.Issuers...) {
		if e.Key.Type != cadir.KeyTypePKCS11 || !strings.HasPrefix(e.Key.Label, "gostca-"+e.ID+"-") || len(e.Key.ID) != 32 || e.Key.File != "" {
			t.Fatalf("%s key reference %+v", e.ID, e.Key)
		}
	}
	if m.Root.Key.Label == m.Issuers[0].Key.Label || m.Root.Key.ID == m.Issuers[0].Key.ID {
		t.Fatal("root and issuer share a label or id")
	}
	if strings.Contains(raw, softhsmtest.PIN) {
		t.Fatal("PIN in the manifest")
	}
	if ents, _ := os.ReadDir(filepath.Join(cfg.DataDir, keysDir)); len(ents) != 0 {
		t.Fatalf("key files written for token keys: %v", ents)
	}
	if _, err := cadir.Init(cfg, catest.Quiet()); !errors.Is(err, cadir.ErrCAExists) {
		t.Fatalf("second init: %v", err)
	}

	e, err := ca.Open(context.Background(), cfg, ca.Options{Logger: catest.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { e.Close() }()
	if e.Issuers()[0].Cert.PublicKey.Key.(*ecdsa.PublicKey).Curve != elliptic.P256() {
		t.Fatal("issuer key is not P-256")
	}
	issueAndCheck(t, e, "client-1")
	// Qualified certificates are GOST only: an ECDSA issuer has no such profile.
	if _, err := e.Issue(context.Background(), catest.Admin, catest.PersonRequest(t)); caerr.CodeOf(err) != caerr.CodeUnknownProfile {
		t.Fatalf("qualified profile on an ECDSA issuer: %v", err)
	}
	ctx := context.Background()
	if err := e.CheckReady(ctx); err != nil {
		t.Fatal(err)
	}

	// The token goes away: the library is finalised behind the pool's back
	// and the token's directory is gone. No call of the CA may be in
	// flight meanwhile (SoftHSM frees sessions under running calls): the
	// background jobs are held off by their locks.
	release := e.Publisher().Quiesce()
	other := p11.New(tok.Lib)
	if other == nil {
		t.Fatal("load SoftHSM")
	}
	defer other.Destroy()
	if err := other.Initialize(); err != nil && !errors.Is(err, p11.Error(p11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
		t.Fatal(err)
	}
	if err := other.Finalize(); err != nil {
		t.Fatal(err)
	}
	away := tok.Tokens + ".away"
	if err := os.Rename(tok.Tokens, away); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(tok.Tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	err = e.CheckReady(ctx)
	if caerr.CodeOf(err) != caerr.CodeUnavailable || !errors.Is(err, hsm.ErrUnavailable) || !strings.Contains(err.Error(), "issuer ecdsa256 key") {
		t.Fatalf("Ready with the token gone: %v", err)
	}
	t.Logf("not ready: %v", err)
	if v := metricValue(t, e, "gostca_hsm_breaker_open"); v != 1 {
		t.Fatalf("gostca_hsm_breaker_open = %v with the token gone", v)
	}
	if _, err := e.Issue(ctx, catest.Admin, tlsClientRequest(t, "while-down")); err == nil {
		t.Fatal("issued with the token gone")
	}
	// Back: the breaker's probe re-establishes the pool by itself.
	if err := os.Remove(tok.Tokens); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(away, tok.Tokens); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for err = e.CheckReady(ctx); err != nil; err = e.CheckReady(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("not ready after the token came back: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	release()
	issueAndCheck(t, e, "client-2")
	if open, trips := metricValue(t, e, "gostca_hsm_breaker_open"), metricValue(t, e, "gostca_hsm_breaker_trips_total"); open != 0 || trips < 1 {
		t.Fatalf("after recovery: breaker open %v, trips %v", open, trips)
	}

	// Restart: the keys are found again by reference.
	issuerPub := e.Issuers()[0].Cert.PublicKey.Key
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e, err = ca.Open(ctx, cfg, ca.Options{Logger: catest.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if !issuerPub.(*ecdsa.PublicKey).Equal(e.Issuers()[0].Cert.PublicKey.Key) {
		t.Fatal("another issuer after restart")
	}
	issueAndCheck(t, e, "client-3")
	if err := e.Ready(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestPKCS11OpenErrors: a wrong PIN, a key missing from the token, a
// missing PIN and a missing [pkcs11] section each fail with a clear
// error that never carries the PIN.
func TestPKCS11OpenErrors(t *testing.T) {
	tok := softhsmtest.New(t, "gostca-engine-errors")
	cfg := pkcs11Config(t, tok)
	if _, err := cadir.Init(cfg, catest.Quiet()); err != nil {
		t.Fatal(err)
	}
	const wrongPIN = "Wrong-Pin-0000"
	open := func(mutate func(*config.Config)) error {
		c := cfg
		mutate(&c)
		e, err := ca.Open(context.Background(), c, ca.Options{Logger: catest.Quiet()})
		if err == nil {
			e.Close()
			t.Fatal("opened")
		}
		for _, pin := range []string{wrongPIN, softhsmtest.PIN} {
			if strings.Contains(err.Error(), pin) {
				t.Fatalf("PIN in the error: %v", err)
			}
		}
		return err
	}
	err := open(func(c *config.Config) { c.PKCS11.PINFile = softhsmtest.WritePIN(t, wrongPIN) })
	if !strings.Contains(err.Error(), `token "gostca-engine-errors" refused the PIN as incorrect`) || !strings.Contains(err.Error(), "PIN from file") {
		t.Fatalf("wrong PIN: %v", err)
	}
	t.Setenv(config.PINEnv, "")
	os.Unsetenv(config.PINEnv)
	err = open(func(c *config.Config) { c.PKCS11.PINFile = "" })
	if !strings.Contains(err.Error(), "environment variable GOSTCA_PKCS11_PIN is not set") {
		t.Fatalf("no PIN: %v", err)
	}
	// keys.backend only says where init makes keys; the manifest says where they are.
	err = open(func(c *config.Config) { c.Keys.Backend, c.PKCS11 = config.BackendSoft, config.DefaultConfig().PKCS11 })
	if !strings.Contains(err.Error(), "needs the [pkcs11] section") {
		t.Fatalf("no [pkcs11]: %v", err)
	}
	err = open(func(c *config.Config) { c.PKCS11.TokenLabel = "no-such-token" })
	if !strings.Contains(err.Error(), `token "no-such-token" not found`) {
		t.Fatalf("no token: %v", err)
	}

	// SoftHSM2 has no GOST: init says so and writes nothing.
	gcfg := pkcs11Config(t, tok)
	gcfg.CA.Curve = "tc26-256-A"
	if _, err := cadir.Init(gcfg, catest.Quiet()); err == nil || !strings.Contains(err.Error(), "generate the root key on the token") {
		t.Fatalf("GOST on SoftHSM: %v", err)
	} else {
		t.Log(err)
	}
	if _, err := os.Stat(gcfg.DataDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("data directory created by a failed init")
	}

	// The manifest names a key the token does not have.
	p := filepath.Join(cfg.DataDir, cadir.ManifestFile)
	orig, _ := os.ReadFile(p)
	m, _ := readManifestT(t, cfg.DataDir)
	m.Issuers[0].Key.Label, m.Issuers[0].Key.ID = "gostca-gone", ""
	data, _ := json.Marshal(m)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	err = open(func(*config.Config) {})
	if !strings.Contains(err.Error(), "issuer ecdsa256 key (pkcs11:label=gostca-gone)") || !strings.Contains(err.Error(), "key not found") {
		t.Fatalf("missing key: %v", err)
	}
	if err := os.WriteFile(p, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	// And with the right settings it opens.
	e, err := ca.Open(context.Background(), cfg, ca.Options{Logger: catest.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	issueAndCheck(t, e, "ok")
	e.Close()
}

// TestPKCS11Import adopts a CA whose keys are on the token into a fresh
// data directory by key reference, and refuses a token key that is not
// the certificate's and a label the token does not have.
func TestPKCS11Import(t *testing.T) {
	tok := softhsmtest.New(t, "gostca-import")
	src := pkcs11Config(t, tok)
	if _, err := cadir.Init(src, catest.Quiet()); err != nil {
		t.Fatal(err)
	}
	m, _ := readManifestT(t, src.DataDir)
	rootCert, issCert := filepath.Join(src.DataDir, m.Root.Cert), filepath.Join(src.DataDir, m.Issuers[0].Cert)
	ctx := context.Background()
	cfg := pkcs11Config(t, tok)
	cfg.Keys.Backend = config.BackendSoft // only where init would generate; imported references name the token
	bad := []struct {
		spec cadir.ImportSpec
		want string
	}{
		{cadir.ImportSpec{RootCert: rootCert, Issuers: []cadir.ImportIssuer{{Cert: issCert, Key: "pkcs11:label=" + m.Root.Key.Label}}},
			"is not the key of certificate"},
		{cadir.ImportSpec{RootCert: rootCert, Issuers: []cadir.ImportIssuer{{Cert: issCert, Key: "pkcs11:label=no-such-key"}}},
			"key not found"},
		{cadir.ImportSpec{RootCert: rootCert, Issuers: []cadir.ImportIssuer{{Cert: issCert, Key: "pkcs11:token=other;label=" + m.Issuers[0].Key.Label}}},
			`names token "other"`},
	}
	for _, b := range bad {
		_, err := cadir.Import(ctx, cfg, b.spec, catest.Quiet())
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Fatalf("%+v: %v, want %q", b.spec, err, b.want)
		}
		if _, err := os.Stat(cfg.DataDir); !errors.Is(err, os.ErrNotExist) {
			t.Fatal("data directory touched")
		}
	}
	spec := cadir.ImportSpec{RootCert: rootCert, RootKey: "pkcs11:id=" + m.Root.Key.ID,
		Issuers: []cadir.ImportIssuer{{Cert: issCert, Key: "pkcs11:token=gostca-import;label=" + m.Issuers[0].Key.Label, ID: "tls"}}}
	if _, err := cadir.Import(ctx, cfg, spec, catest.Quiet()); err != nil {
		t.Fatal(err)
	}
	got, raw := readManifestT(t, cfg.DataDir)
	if got.Issuers[0].ID != "tls" || got.Issuers[0].Key != (cadir.KeyRef{Type: cadir.KeyTypePKCS11, Label: m.Issuers[0].Key.Label}) ||
		got.Root.Key != (cadir.KeyRef{Type: cadir.KeyTypePKCS11, ID: m.Root.Key.ID}) || strings.Contains(raw, "token") {
		t.Fatalf("manifest %s", raw)
	}
	e, err := ca.Open(ctx, cfg, ca.Options{Logger: catest.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	issueAndCheck(t, e, "imported")
}

// metricValue is the value of an unlabelled gauge or counter on /metrics.
func metricValue(t *testing.T, e *ca.CA, name string) float64 {
	t.Helper()
	mfs, err := e.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name || len(mf.Metric) != 1 {
			continue
		}
		m := mf.Metric[0]
		if m.Gauge != nil {
			return m.Gauge.GetValue()
		}
		return m.Counter.GetValue()
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// TestPKCS11InitFailureCleansUp: an init that fails after making key
// pairs on the token (here the 512-bit GOST issuer, which SoftHSM2 cannot
// make) deletes them and the certificates it wrote, so that init can
// simply run again.
func TestPKCS11InitFailureCleansUp(t *testing.T) {
	softhsmtest.Need(t, "pkcs11-tool")
	tok := softhsmtest.New(t, "gostca-init-fail")
	cfg := pkcs11Config(t, tok)
	cfg.CA.Issuer512 = true
	_, err := cadir.Init(cfg, catest.Quiet())
	if err == nil || !strings.Contains(err.Error(), "gost512") || strings.Contains(err.Error(), "left on the token") {
		t.Fatalf("init with a key the token cannot make: %v", err)
	}
	objects := tok.Run(t, "pkcs11-tool", "--module", tok.Lib, "--token-label", tok.Label, "--login", "--pin", softhsmtest.PIN, "--list-objects")
	if strings.Contains(objects, "gostca-") {
		t.Fatalf("key pairs of the failed init are still on the token:\n%s", objects)
	}
	for _, sub := range []string{caDir, keysDir} {
		if files, _ := os.ReadDir(filepath.Join(cfg.DataDir, sub)); len(files) != 0 {
			t.Fatalf("the failed init left files in %s: %v", sub, files)
		}
	}
	cfg.CA.Issuer512 = false
	if _, err := cadir.Init(cfg, catest.Quiet()); err != nil {
		t.Fatalf("init again: %v", err)
	}
	if objects := tok.Run(t, "pkcs11-tool", "--module", tok.Lib, "--token-label", tok.Label, "--login", "--pin", softhsmtest.PIN, "--list-objects"); strings.Count(objects, "gostca-") != 5 ||
		!strings.Contains(objects, "Secret Key Object; Generic secret length 32") || !strings.Contains(objects, "label:      gostca-audit-") {
		t.Fatalf("after a good init the token holds (two key pairs and the audit HMAC key):\n%s", objects)
	}
}
