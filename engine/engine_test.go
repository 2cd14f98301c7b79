package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

func testConfig(t *testing.T) Config {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Keys.ScryptLogN = 10
	cfg.Server.PublicURL = "http://127.0.0.1:1"
	return cfg
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func openTest(t *testing.T, cfg Config) *Engine {
	t.Helper()
	e, err := Open(context.Background(), cfg, Options{Logger: quiet(), CreateDefault: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

var admin = &Principal{TokenID: "t1", Role: RoleCAAdmin}

func newCSR(t *testing.T, curve string) []byte {
	t.Helper()
	c, _ := gost3410.CurveByName(curve)
	k, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := pkix.CreateCertificateRequest(rand.Reader, k, &pkix.Subject{CommonName: "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func personRequest(t *testing.T) *IssueRequest {
	return &IssueRequest{Profile: pkix.ProfileQualifiedPerson.Name, CSR: newCSR(t, "tc26-256-A"), SubjectSignTool: "tool",
		Subject: pkix.Subject{CommonName: "Иванов Иван", Surname: "Иванов", GivenName: "Иван", Country: "RU",
			SNILS: "112-233-445 95", INN: "500100123426"}}
}

// TestInitRefusesToOverwrite: init creates the CA once; a second init
// changes nothing; Open loads the same CA again.
func TestInitRefusesToOverwrite(t *testing.T) {
	cfg := testConfig(t)
	cfg.CA.Issuer512 = true
	res, err := Init(cfg, quiet())
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
	manifest, _ := os.ReadFile(filepath.Join(cfg.DataDir, manifestFile))
	if _, err := Init(cfg, quiet()); !errors.Is(err, ErrCAExists) {
		t.Fatalf("second init: %v", err)
	}
	again, _ := os.ReadFile(filepath.Join(cfg.DataDir, manifestFile))
	if !bytes.Equal(manifest, again) {
		t.Fatal("second init changed the manifest")
	}
	e := openTest(t, cfg)
	if got := len(e.Issuers()); got != 2 {
		t.Fatalf("%d issuers", got)
	}
	// Both issuers sign.
	for _, is := range e.Issuers() {
		req := personRequest(t)
		req.Issuer = is.ID
		if is.ID == "gost512" {
			req.CSR = newCSR(t, "tc26-512-A")
		}
		r, err := e.Issue(context.Background(), admin, req)
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
	cfg := testConfig(t)
	if _, err := Open(context.Background(), cfg, Options{Logger: quiet()}); !errors.Is(err, ErrNoCA) {
		t.Fatalf("open without a CA: %v", err)
	}
}

func TestWrongPassphrase(t *testing.T) {
	cfg := testConfig(t)
	if _, err := Init(cfg, quiet()); err != nil {
		t.Fatal(err)
	}
	pf := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(pf, []byte("a different passphrase"), 0o600)
	cfg.Keys.PassphraseFile = pf
	_, err := Open(context.Background(), cfg, Options{Logger: quiet()})
	if err == nil || strings.Contains(err.Error(), "a different passphrase") {
		t.Fatalf("wrong passphrase: %v", err)
	}
}

// TestStatusCRLOCSP follows one certificate through hold, resume and
// revocation, checking the CRL (parsed and verified) and the OCSP answers
// (pre-signed and live) at each step.
func TestStatusCRLOCSP(t *testing.T) {
	cfg := testConfig(t)
	e := openTest(t, cfg)
	ctx := context.Background()
	r, err := e.Issue(ctx, admin, personRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	serial := r.Cert.Serial
	is := e.issuers["gost256"]
	check := func(step string, wantCRL bool, want pkix.OCSPStatus, reason pkix.CRLReason) {
		t.Helper()
		f, err := e.CRL(ctx, "gost256")
		if err != nil {
			t.Fatal(err)
		}
		crl, err := pkix.ParseCRL(f.DER)
		if err != nil || crl.CheckSignatureFrom(is.is.Cert.PublicKey.Key) != nil {
			t.Fatalf("%s: CRL: %v", step, err)
		}
		found := false
		for _, en := range crl.Entries {
			if bytes.Equal(en.Serial, serial) {
				found = en.Reason == reason
			}
		}
		if found != wantCRL {
			t.Fatalf("%s: in CRL %v, want %v", step, found, wantCRL)
		}
		// New certificates are pre-signed by the background job; run a
		// pass so this does not depend on its timing.
		if err := e.refreshOCSP(e.cfg.OCSP.RefreshBefore); err != nil {
			t.Fatal(err)
		}
		for _, nonce := range [][]byte{nil, []byte("0123456789abcdef")} {
			id, _ := is.ocsp.CertID(pkix.OCSPHashSHA1, serial)
			a := e.respond(ctx, &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}, Nonce: nonce})
			resp, err := pkix.ParseOCSPResponse(a.DER)
			if err != nil || resp.Status != pkix.OCSPSuccessful || resp.CheckSignatureFrom(is.is.Cert.PublicKey.Key) != nil {
				t.Fatalf("%s: OCSP: %v %+v", step, err, resp)
			}
			if resp.Responses[0].Status != want || !bytes.Equal(resp.Nonce, nonce) {
				t.Fatalf("%s: OCSP status %v nonce %x", step, resp.Responses[0].Status, resp.Nonce)
			}
			if want == pkix.OCSPRevoked && resp.Responses[0].Reason != reason {
				t.Fatalf("%s: OCSP reason %v", step, resp.Responses[0].Reason)
			}
			if (nonce == nil) != a.Presigned {
				t.Fatalf("%s: nonce %x presigned %v", step, nonce, a.Presigned)
			}
		}
	}
	check("issued", false, pkix.OCSPGood, 0)
	if _, err := e.SetStatus(ctx, admin, serial, StatusRequest{Action: Suspend}); err != nil {
		t.Fatal(err)
	}
	check("held", true, pkix.OCSPRevoked, pkix.ReasonCertificateHold)
	if _, err := e.SetStatus(ctx, admin, serial, StatusRequest{Action: Resume}); err != nil {
		t.Fatal(err)
	}
	check("resumed", false, pkix.OCSPGood, 0)
	if _, err := e.SetStatus(ctx, admin, serial, StatusRequest{Action: Revoke, Reason: "keyCompromise", InvalidityDate: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	check("revoked", true, pkix.OCSPRevoked, pkix.ReasonKeyCompromise)
	_, err = e.SetStatus(ctx, admin, serial, StatusRequest{Action: Resume})
	if CodeOf(err) != CodeInvalidTransition {
		t.Fatalf("resume after revoke: %v", err)
	}
	// Unknown serial: "unknown", signed live.
	id, _ := is.ocsp.CertID(pkix.OCSPHashSHA256, []byte{1, 2, 3})
	a := e.respond(ctx, &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}})
	if resp, err := pkix.ParseOCSPResponse(a.DER); err != nil || resp.Responses[0].Status != pkix.OCSPUnknown {
		t.Fatalf("unknown serial: %v", err)
	}
	// Another CA's CertID: unauthorized.
	other := id
	other.IssuerKeyHash = make([]byte, len(id.IssuerKeyHash))
	a = e.respond(ctx, &pkix.OCSPRequest{CertIDs: []pkix.CertID{other}})
	if resp, err := pkix.ParseOCSPResponse(a.DER); err != nil || resp.Status != pkix.OCSPUnauthorized {
		t.Fatalf("foreign issuer: %v %+v", err, resp)
	}
	if err := e.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := e.st.Check(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("store check: %v %+v", err, rep)
	}
}

// TestOCSPRefreshJob: the background job pre-signs responses of new
// certificates and re-signs those close to their nextUpdate.
func TestOCSPRefreshJob(t *testing.T) {
	cfg := testConfig(t)
	e := openTest(t, cfg)
	ctx := context.Background()
	r, err := e.Issue(ctx, admin, personRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.refreshOCSP(e.cfg.OCSP.RefreshBefore); err != nil {
		t.Fatal(err)
	}
	rec, err := e.st.OCSPResponse(ctx, r.Cert.Serial)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing due now: a second pass leaves it alone.
	if err := e.refreshOCSP(e.cfg.OCSP.RefreshBefore); err != nil {
		t.Fatal(err)
	}
	same, _ := e.st.OCSPResponse(ctx, r.Cert.Serial)
	if !bytes.Equal(same.DER, rec.DER) {
		t.Fatal("a fresh response was re-signed")
	}
	// Due within refresh_before: re-signed.
	time.Sleep(1100 * time.Millisecond) // a new producedAt second
	if err := e.refreshOCSP(e.cfg.OCSP.Validity + time.Hour); err != nil {
		t.Fatal(err)
	}
	newer, _ := e.st.OCSPResponse(ctx, r.Cert.Serial)
	if bytes.Equal(newer.DER, rec.DER) || !newer.NextUpdate.After(rec.NextUpdate) {
		t.Fatal("a due response was not re-signed")
	}
}

func TestIssueErrors(t *testing.T) {
	e := openTest(t, testConfig(t))
	ctx := context.Background()
	for _, c := range []struct {
		name string
		mod  func(*IssueRequest)
		code string
	}{
		{"bad SNILS", func(r *IssueRequest) { r.Subject.SNILS = "11223344596" }, CodeSubjectInvalid},
		{"unknown profile", func(r *IssueRequest) { r.Profile = "x" }, CodeUnknownProfile},
		{"unknown issuer", func(r *IssueRequest) { r.Issuer = "x" }, CodeUnknownIssuer},
		{"garbage CSR", func(r *IssueRequest) { r.CSR = []byte("garbage") }, "csr.encoding.malformed"},
		{"bad identification kind", func(r *IssueRequest) { r.IdentificationKind = 7 }, CodeInvalidRequest},
		{"bad idempotency key", func(r *IssueRequest) { r.IdempotencyKey = "a b" }, CodeInvalidRequest},
	} {
		req := personRequest(t)
		c.mod(req)
		if _, err := e.Issue(ctx, admin, req); CodeOf(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	seq, _, _ := e.st.AuditHead(ctx)
	if seq != 0 {
		t.Fatalf("%d audit entries after rejected requests", seq)
	}
}

// TestOCSPRefreshRetiresExpired: the refresh job does not re-sign an
// expired certificate's response; it takes it out of the due index.
func TestOCSPRefreshRetiresExpired(t *testing.T) {
	e := openTest(t, testConfig(t))
	ctx := context.Background()
	serial := []byte{0x51, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09}
	kh := store.KeyHash{1, 2, 3}
	past := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	if _, err := e.st.PutIntents(ctx, []store.Intent{{IssuerID: e.order[0], Serial: serial, KeyHash: kh, TBS: []byte("tbs"), Profile: "qualified-person", CreatedAt: past}}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.CommitIssued(ctx, []store.Issued{{Serial: serial, IssuerID: e.order[0], DER: []byte("expired certificate"),
		NotBefore: past, NotAfter: past.Add(time.Hour), KeyHash: kh, Audit: store.AuditEntry{Actor: "test", Action: "issue"}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.refreshOCSP(e.cfg.OCSP.RefreshBefore); err != nil {
		t.Fatal(err)
	}
	due, _, err := e.st.OCSPDue(ctx, time.Now().AddDate(10, 0, 0), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range due {
		if bytes.Equal(d.Serial, serial) {
			t.Fatal("expired certificate still in the OCSP due index")
		}
	}
	if _, err := e.st.OCSPResponse(ctx, serial); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a response was signed for an expired certificate: %v", err)
	}
}
