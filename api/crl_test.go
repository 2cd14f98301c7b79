package api_test

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/publish"
)

// fetchCRL gets a CRL over HTTP and checks the publication headers and a
// conditional request.
func (ts *testServer) fetchCRL(t *testing.T, path string) []byte {
	t.Helper()
	resp, der := ts.do(t, "GET", path, "", "", nil)
	wantStatus(t, resp, der, 200)
	h := resp.Header
	if h.Get("Content-Type") != "application/pkix-crl" || h.Get("ETag") == "" || h.Get("Last-Modified") == "" ||
		h.Get("Expires") == "" || !strings.Contains(h.Get("Cache-Control"), "max-age=") {
		t.Fatalf("%s headers %v", path, h)
	}
	r2, _ := ts.do(t, "GET", path, "", "", nil, "If-None-Match", h.Get("ETag"))
	if r2.StatusCode != http.StatusNotModified {
		t.Fatalf("%s conditional request: %d", path, r2.StatusCode)
	}
	return der
}

func serialLine(hexSerial string) string {
	s := strings.ToUpper(hexSerial)
	if len(s)%2 == 1 {
		s = "0" + s
	}
	return "Serial Number: " + s
}

// TestDeltaAndPartitionCRLsOpenSSL drives a server with crl.delta and
// crl.partitions = 4: certificates name their partition's CRL and delta;
// every CRL verifies with OpenSSL; the delta lists the changes since its
// base; a revoked certificate is in exactly its partition; and `openssl
// verify -crl_check` with the partition CRL says revoked / OK / out of
// scope as it should.
func TestDeltaAndPartitionCRLsOpenSSL(t *testing.T) {
	const parts = 4
	ts := startServer(t, func(c *config.Config) { c.CRL.Delta = true; c.CRL.Partitions = parts })
	o := newOSSL(t)
	ts.writeChain(t, o)
	o.write("chain.pem", append(o.read("ca.pem"), o.read("root.pem")...))

	// Issue until two certificates share a partition (revoked, good) and
	// a third is in another (other).
	type cert struct {
		serial string
		part   int
	}
	byPart := map[int][]cert{}
	var revoked, good, other *cert
	for i := 0; i < 64 && (revoked == nil || other == nil); i++ {
		resp, body := ts.json(t, "POST", "/api/v1/certificates", auth.RoleCabinet, issueBody(pkix.ProfileQualifiedPerson.Name, []byte(base64.StdEncoding.EncodeToString(goCSR(t)))))
		wantStatus(t, resp, body, 201)
		c := decode[api.Certificate](t, body)
		sb, err := ca.ParseSerial(c.Serial)
		if err != nil {
			t.Fatal(err)
		}
		p := publish.CRLPartition(sb, parts)
		o.write(c.Serial+".pem", []byte(c.CertificatePEM))
		byPart[p] = append(byPart[p], cert{c.Serial, p})
		if revoked == nil && len(byPart[p]) == 2 {
			revoked, good = &byPart[p][0], &byPart[p][1]
		}
		if revoked != nil && other == nil {
			for q, cs := range byPart {
				if q != revoked.part {
					other = &cs[0]
				}
			}
		}
	}
	if revoked == nil || other == nil {
		t.Fatalf("partitions of 64 certificates: %v", byPart)
	}
	partURL := func(p int, delta bool) string {
		u := ts.base + "/crl/gost256/" + strconv.Itoa(p)
		if delta {
			return u + "-delta.crl"
		}
		return u + ".crl"
	}

	// The certificates name their partition's CRL and its delta.
	for _, c := range []*cert{revoked, good, other} {
		out := o.run("x509", "-in", c.serial+".pem", "-noout", "-text")
		for _, w := range []string{"X509v3 CRL Distribution Points", "URI:" + partURL(c.part, false), "X509v3 Freshest CRL", "URI:" + partURL(c.part, true)} {
			if !strings.Contains(out, w) {
				t.Fatalf("certificate %s (partition %d) lacks %q:\n%s", c.serial, c.part, w, out)
			}
		}
		if strings.Contains(out, ts.base+"/crl/gost256.crl") {
			t.Fatalf("partitioned certificate names the full CRL:\n%s", out)
		}
	}

	// crlText fetches a CRL, has OpenSSL verify its signature with the
	// issuing CA and returns its text.
	crlText := func(t *testing.T, path string) string {
		t.Helper()
		name := strings.NewReplacer("/", "_").Replace(path)
		o.write(name, ts.fetchCRL(t, path))
		o.run("crl", "-inform", "DER", "-in", name, "-out", name+".pem")
		out := o.run("crl", "-in", name+".pem", "-CAfile", "ca.pem", "-noout", "-text")
		if !strings.Contains(out, "verify OK") {
			t.Fatalf("openssl crl %s:\n%s", path, out)
		}
		return out
	}
	number := func(t *testing.T, text, label string) int64 {
		t.Helper()
		i := strings.Index(text, label)
		if i < 0 {
			t.Fatalf("no %q in:\n%s", label, text)
		}
		f := strings.Fields(text[i+len(label):])
		n, err := strconv.ParseInt(f[0], 10, 64) // small numbers print in decimal
		if err != nil {
			t.Fatalf("%s %q: %v", label, f[0], err)
		}
		return n
	}

	// Bases and empty deltas, before any status change.
	full := crlText(t, "/crl/gost256.crl")
	if !strings.Contains(full, "X509v3 Freshest CRL") || !strings.Contains(full, "URI:"+ts.base+"/crl/gost256-delta.crl") ||
		strings.Contains(full, "Issuing Distribution Point") {
		t.Fatalf("full CRL:\n%s", full)
	}
	fullNum := number(t, full, "X509v3 CRL Number:")
	pBase := crlText(t, "/crl/gost256/"+strconv.Itoa(revoked.part)+".crl")
	for _, w := range []string{"X509v3 Issuing Distribution Point: critical", "URI:" + partURL(revoked.part, false), "Only User Certificates", "URI:" + partURL(revoked.part, true)} {
		if !strings.Contains(pBase, w) {
			t.Fatalf("partition CRL lacks %q:\n%s", w, pBase)
		}
	}
	crlText(t, "/crl/gost256/"+strconv.Itoa(other.part)+".crl")

	// Status changes after the bases show in the deltas only.
	resp, body := ts.json(t, "POST", "/api/v1/certificates/"+revoked.serial+"/revoke", auth.RoleCAOperator, map[string]string{"reason": "keyCompromise"})
	wantStatus(t, resp, body, 200)
	resp, body = ts.json(t, "POST", "/api/v1/certificates/"+other.serial+"/suspend", auth.RoleCAOperator, nil)
	wantStatus(t, resp, body, 200)

	delta := crlText(t, "/crl/gost256-delta.crl")
	if !strings.Contains(delta, "X509v3 Delta CRL Indicator: critical") || number(t, delta, "X509v3 Delta CRL Indicator: critical") != fullNum ||
		number(t, delta, "X509v3 CRL Number:") <= fullNum {
		t.Fatalf("delta CRL (base %d):\n%s", fullNum, delta)
	}
	if !strings.Contains(delta, serialLine(revoked.serial)) || !strings.Contains(delta, "Key Compromise") ||
		!strings.Contains(delta, serialLine(other.serial)) || !strings.Contains(delta, "Certificate Hold") ||
		strings.Contains(delta, serialLine(good.serial)) {
		t.Fatalf("delta CRL entries:\n%s", delta)
	}
	if again := crlText(t, "/crl/gost256.crl"); strings.Contains(again, serialLine(revoked.serial)) {
		t.Fatal("with deltas, a revocation rebuilt the full CRL")
	}
	pDelta := crlText(t, "/crl/gost256/"+strconv.Itoa(revoked.part)+"-delta.crl")
	if !strings.Contains(pDelta, "Delta CRL Indicator") || !strings.Contains(pDelta, "URI:"+partURL(revoked.part, false)) ||
		!strings.Contains(pDelta, serialLine(revoked.serial)) || strings.Contains(pDelta, serialLine(other.serial)) {
		t.Fatalf("partition %d delta:\n%s", revoked.part, pDelta)
	}
	// OpenSSL applies the partition delta to its base: revoked.
	out, err := o.try("verify", "-crl_check", "-use_deltas", "-CRLfile", "_crl_gost256_"+strconv.Itoa(revoked.part)+".crl.pem",
		"-CRLfile", "_crl_gost256_"+strconv.Itoa(revoked.part)+"-delta.crl.pem", "-CAfile", "chain.pem", revoked.serial+".pem")
	if err == nil || !strings.Contains(out, "certificate revoked") {
		t.Fatalf("verify with base + delta: %v\n%s", err, out)
	}

	// New complete CRLs: the revoked certificate is in exactly its
	// partition, the held one in its own.
	resp, body = ts.json(t, "POST", "/api/v1/issuers/gost256/crl", auth.RoleCAAdmin, nil)
	wantStatus(t, resp, body, 201)
	for p := range parts {
		text := crlText(t, "/crl/gost256/"+strconv.Itoa(p)+".crl")
		if got := strings.Contains(text, serialLine(revoked.serial)); got != (p == revoked.part) {
			t.Fatalf("revoked certificate (partition %d) in partition %d CRL: %v", revoked.part, p, got)
		}
		if got := strings.Contains(text, serialLine(other.serial)); got != (p == other.part) {
			t.Fatalf("held certificate (partition %d) in partition %d CRL: %v", other.part, p, got)
		}
	}
	pPEM := func(p int) string { return "_crl_gost256_" + strconv.Itoa(p) + ".crl.pem" }
	verify := func(crl, leaf string) (string, error) {
		return o.try("verify", "-crl_check", "-CRLfile", crl, "-CAfile", "chain.pem", leaf+".pem")
	}
	if out, err := verify(pPEM(revoked.part), revoked.serial); err == nil || !strings.Contains(out, "certificate revoked") {
		t.Fatalf("revoked certificate against its partition CRL: %v\n%s", err, out)
	}
	if out, err := verify(pPEM(revoked.part), good.serial); err != nil || !strings.Contains(out, good.serial+".pem: OK") {
		t.Fatalf("good certificate against its partition CRL: %v\n%s", err, out)
	}
	if out, err := verify(pPEM(other.part), other.serial); err == nil || !strings.Contains(out, "certificate revoked") {
		t.Fatalf("held certificate against its partition CRL: %v\n%s", err, out)
	}
	// Another partition's CRL does not cover the certificate: OpenSSL
	// matches the IDP against the CDP and refuses it (X509_V_ERR_
	// DIFFERENT_CRL_SCOPE) rather than calling the certificate good.
	if out, err := verify(pPEM(other.part), good.serial); err == nil || !strings.Contains(out, "different CRL scope") {
		t.Fatalf("good certificate against another partition's CRL: %v\n%s", err, out)
	}
	// The full CRL (no IDP) covers every certificate.
	crlText(t, "/crl/gost256.crl")
	if out, err := verify("_crl_gost256.crl.pem", revoked.serial); err == nil || !strings.Contains(out, "certificate revoked") {
		t.Fatalf("revoked certificate against the full CRL: %v\n%s", err, out)
	}
	if out, err := verify("_crl_gost256.crl.pem", good.serial); err != nil || !strings.Contains(out, "OK") {
		t.Fatalf("good certificate against the full CRL: %v\n%s", err, out)
	}

	resp, body = ts.do(t, "GET", "/metrics", "", "", nil)
	wantStatus(t, resp, body, 200)
	for _, w := range []string{`gostca_crl_build_duration_seconds_count{issuer="gost256",kind="delta"}`,
		`gostca_crl_build_duration_seconds_count{issuer="gost256",kind="partition_delta"}`,
		`gostca_crl_size_bytes{issuer="gost256",kind="partition",partition="` + strconv.Itoa(revoked.part) + `"}`,
		`gostca_crl_entries{issuer="gost256",kind="full",partition=""}`} {
		if !strings.Contains(string(body), w) {
			t.Errorf("metrics lack %s", w)
		}
	}
}

// TestCRLNotFound: unknown issuers and partitions, malformed partition
// names, and delta or partition CRLs while they are off get 404
// problem+json and change nothing.
func TestCRLNotFound(t *testing.T) {
	ts := startServer(t, func(c *config.Config) { c.CRL.Delta = true; c.CRL.Partitions = 2 })
	for path, code := range map[string]string{
		"/crl/nobody.crl":          caerr.CodeIssuerNotFound,
		"/crl/nobody-delta.crl":    caerr.CodeIssuerNotFound,
		"/crl/nobody/0.crl":        caerr.CodeIssuerNotFound,
		"/crl/gost256/2.crl":       caerr.CodeCRLNotFound,
		"/crl/gost256/2-delta.crl": caerr.CodeCRLNotFound,
		"/crl/gost256/01.crl":      caerr.CodeCRLNotFound,
		"/crl/gost256/-1.crl":      caerr.CodeCRLNotFound,
		"/crl/gost256/x.crl":       caerr.CodeCRLNotFound,
		"/crl/gost256/.crl":        caerr.CodeCRLNotFound,
		"/crl/gost256/0/1.crl":     caerr.CodeCRLNotFound,
		"/crl/gost256/99999.crl":   caerr.CodeCRLNotFound,
	} {
		resp, body := ts.do(t, "GET", path, "", "", nil)
		wantProblem(t, resp, body, 404, code)
	}
	for _, path := range []string{"/crl/gost256.crl", "/crl/gost256-delta.crl", "/crl/gost256/0.crl", "/crl/gost256/1-delta.crl"} {
		resp, body := ts.do(t, "GET", path, "", "", nil)
		wantStatus(t, resp, body, 200)
	}

	off := startServer(t, nil)
	for _, path := range []string{"/crl/gost256-delta.crl", "/crl/gost256/0.crl", "/crl/gost256/0-delta.crl"} {
		resp, body := off.do(t, "GET", path, "", "", nil)
		wantProblem(t, resp, body, 404, caerr.CodeCRLNotFound)
	}
	resp, body := off.do(t, "GET", "/crl/gost256.crl", "", "", nil)
	wantStatus(t, resp, body, 200)
}
