package publish_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
)

// TestRootCRLOnline: a CA holding its root key signs /crl/root.crl
// itself: verified by the root, empty, numbered upwards on demand; an
// upload is refused.
func TestRootCRLOnline(t *testing.T) {
	e := catest.Open(t, catest.Config(t))
	pub := e.Publisher()
	if !pub.RootKeyOnline() {
		t.Fatal("root key not online")
	}
	root, _ := e.CACertificate(cadir.RootID)
	rc, _ := pkix.ParseCertificate(root)
	f, err := pub.RootCRL(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c, err := pkix.ParseCRL(f.DER)
	if err != nil || c.CheckSignatureFrom(rc.PublicKey.Key) != nil || len(c.Entries) != 0 || string(c.Issuer) != string(rc.RawSubject) {
		t.Fatalf("root CRL: %v", err)
	}
	g, err := pub.GenerateRootCRL(context.Background(), "test")
	if err != nil || g.Number.Cmp(f.Number) <= 0 || f.URL != "http://127.0.0.1:1/crl/root.crl" {
		t.Fatalf("regenerated: %v %v → %v, %s", err, f.Number, g.Number, f.URL)
	}
	if _, err := pub.UploadRootCRL(context.Background(), "test", f.DER); caerr.CodeOf(err) != caerr.CodeInvalidTransition {
		t.Fatalf("upload with an online root: %v", err)
	}
}

// TestRootCRLUpload: with the root key offline, every kind of bad CRL is
// refused with root_crl_refused and a reason, and changes nothing; a
// good one is served, survives a restart, and only a higher number
// replaces it.
func TestRootCRLUpload(t *testing.T) {
	t.Setenv(config.PassphraseEnv, "a root CRL passphrase")
	cfg := catest.Config(t)
	if _, err := cadir.Init(cfg, catest.Quiet()); err != nil {
		t.Fatal(err)
	}
	// Take the root key offline: out of the manifest and the data directory.
	rootKey, err := hsm.OpenSoftKey(filepath.Join(cfg.DataDir, "keys", "root.key"), hsm.SecretSource{Env: config.PassphraseEnv})
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := hsm.OpenSoftKey(filepath.Join(cfg.DataDir, "keys", "gost256.key"), hsm.SecretSource{Env: config.PassphraseEnv})
	if err != nil {
		t.Fatal(err)
	}
	mf := filepath.Join(cfg.DataDir, cadir.ManifestFile)
	var m map[string]any
	b, _ := os.ReadFile(mf)
	json.Unmarshal(b, &m)
	m["root"].(map[string]any)["key"] = map[string]any{"type": "none"}
	b, _ = json.Marshal(m)
	os.WriteFile(mf, b, 0o644)
	os.Remove(filepath.Join(cfg.DataDir, "keys", "root.key"))

	e := catest.Open(t, cfg)
	pub := e.Publisher()
	ctx := context.Background()
	if pub.RootKeyOnline() {
		t.Fatal("root key online")
	}
	if _, err := pub.RootCRL(ctx); caerr.CodeOf(err) != caerr.CodeCRLNotFound {
		t.Fatalf("before an upload: %v", err)
	}
	rootDER, _ := e.CACertificate(cadir.RootID)
	rc, _ := pkix.ParseCertificate(rootDER)
	now := time.Now().UTC().Truncate(time.Second)
	mk := func(key hsm.Key, mut func(*pkix.CRLTemplate)) []byte {
		tmpl := &pkix.CRLTemplate{Issuer: rc.RawSubject, AuthorityKeyID: rc.SubjectKeyID, Number: big.NewInt(10),
			ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(30 * 24 * time.Hour)}
		if mut != nil {
			mut(tmpl)
		}
		der, err := pkix.CreateCRL(rand.Reader, hsm.AsSigner(key), tmpl, nil)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	for _, c := range []struct {
		name string
		der  []byte
		want string
	}{
		{"garbage", []byte("not a CRL"), "not a CRL"},
		{"another key", mk(otherKey, nil), "not signed by the root's key"},
		{"another issuer", mk(rootKey, func(t *pkix.CRLTemplate) { t.Issuer = e.Issuers()[0].Cert.RawSubject }), "is not the root"},
		{"delta", mk(rootKey, func(t *pkix.CRLTemplate) { t.DeltaOf = big.NewInt(9) }), "a delta CRL"},
		{"partition", mk(rootKey, func(t *pkix.CRLTemplate) {
			t.IssuingDistributionPoint = &pkix.IssuingDistributionPoint{URIs: []string{"http://x/root/1.crl"}}
		}), "issuing distribution point"},
		{"expired", mk(rootKey, func(t *pkix.CRLTemplate) {
			t.ThisUpdate, t.NextUpdate = now.Add(-48*time.Hour), now.Add(-time.Hour)
		}), "has passed"},
		{"from the future", mk(rootKey, func(t *pkix.CRLTemplate) {
			t.ThisUpdate, t.NextUpdate = now.Add(time.Hour), now.Add(48*time.Hour)
		}), "in the future"},
	} {
		_, err := pub.UploadRootCRL(ctx, "test", c.der)
		if caerr.CodeOf(err) != caerr.CodeRootCRLRefused || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want root_crl_refused %q", c.name, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, cadir.RootCRLFile)); err == nil {
		t.Fatal("a refused CRL was written")
	}
	good := mk(rootKey, nil)
	f, err := pub.UploadRootCRL(ctx, "test", good)
	if err != nil || f.Number.Int64() != 10 {
		t.Fatalf("upload: %v", err)
	}
	if _, err := pub.UploadRootCRL(ctx, "test", mk(rootKey, func(t *pkix.CRLTemplate) { t.Number = big.NewInt(10) })); caerr.CodeOf(err) != caerr.CodeRootCRLRefused {
		t.Fatalf("same number: %v", err)
	}
	// A restart serves the uploaded CRL.
	e.Close()
	e = catest.Open(t, cfg)
	f, err = e.Publisher().RootCRL(ctx)
	if err != nil || string(f.DER) != string(good) {
		t.Fatalf("after a restart: %v", err)
	}
	newer := mk(rootKey, func(t *pkix.CRLTemplate) { t.Number = big.NewInt(11) })
	if f, err = e.Publisher().UploadRootCRL(ctx, "test", newer); err != nil || string(f.DER) != string(newer) {
		t.Fatalf("newer: %v", err)
	}
	// Each accepted upload is in the audit log, refused ones are not.
	es, _, err := e.Store().AuditEntries(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range es {
		if a.Action == "crl.upload" && a.Subject == cadir.RootID {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d crl.upload audit entries, want 2", n)
	}
}
