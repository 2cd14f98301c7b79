package api_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/pkix"
)

// TestEndToEndOpenSSL drives the real server over HTTP with requests
// made by OpenSSL's gost engine: issuance for every subscriber profile,
// fetch, search, suspend → hold → resume → good, revoke → CRL and OCSP
// say revoked; OpenSSL verifies the chain, the CRL and every OCSP
// response.
func TestEndToEndOpenSSL(t *testing.T) {
	ts := startServer(t, nil)
	o := newOSSL(t)

	// The published chain.
	resp, root := ts.do(t, "GET", "/ca/root.crt", "", "", nil)
	wantStatus(t, resp, root, 200)
	resp, caDER := ts.do(t, "GET", "/ca/gost256.crt", "", "", nil)
	wantStatus(t, resp, caDER, 200)
	if ct := resp.Header.Get("Content-Type"); ct != "application/pkix-cert" {
		t.Fatalf("CA certificate content type %q", ct)
	}
	o.write("root.der", root)
	o.write("ca.der", caDER)
	o.run("x509", "-inform", "DER", "-in", "root.der", "-out", "root.pem")
	o.run("x509", "-inform", "DER", "-in", "ca.der", "-out", "ca.pem")
	if out := o.run("verify", "-CAfile", "root.pem", "ca.pem"); !strings.Contains(out, "ca.pem: OK") {
		t.Fatalf("openssl verify of the issuing CA: %s", out)
	}

	profiles := []string{
		pkix.ProfileQualifiedPerson.Name, pkix.ProfileQualifiedEntrepreneur.Name,
		pkix.ProfileQualifiedLegalEntityHead.Name, pkix.ProfileQualifiedEmployee.Name,
		pkix.ProfileTLSClient.Name, pkix.ProfileOCSPSigner.Name,
	}
	keys := map[string][2]string{ // OpenSSL key algorithm and paramset per profile
		pkix.ProfileQualifiedPerson.Name:          {"gost2012_256", "TCA"},
		pkix.ProfileQualifiedEntrepreneur.Name:    {"gost2012_256", "A"}, // CryptoPro-A OID
		pkix.ProfileQualifiedLegalEntityHead.Name: {"gost2012_512", "A"},
		pkix.ProfileQualifiedEmployee.Name:        {"gost2012_256", "TCB"},
		pkix.ProfileTLSClient.Name:                {"gost2012_256", "XA"},
		pkix.ProfileOCSPSigner.Name:               {"gost2012_512", "C"},
	}
	serials := map[string]string{}
	for _, p := range profiles {
		t.Run("issue/"+p, func(t *testing.T) {
			k := keys[p]
			csr := o.csr(p, k[0], k[1])
			resp, body := ts.json(t, "POST", "/api/v1/certificates", auth.RoleCabinet, issueBody(p, csr))
			wantStatus(t, resp, body, 201)
			c := decode[api.Certificate](t, body)
			if c.Status != "valid" || c.Profile != p || c.Issuer != "gost256" || resp.Header.Get("Location") != "/api/v1/certificates/"+c.Serial {
				t.Fatalf("issued %+v, Location %q", c, resp.Header.Get("Location"))
			}
			serials[p] = c.Serial
			// Fetch as JSON, PEM and DER.
			resp, body = ts.json(t, "GET", "/api/v1/certificates/"+c.Serial, auth.RoleAuditor, nil)
			wantStatus(t, resp, body, 200)
			if got := decode[api.Certificate](t, body); got.CertificatePEM != c.CertificatePEM || got.Status != "valid" {
				t.Fatalf("fetched %+v", got)
			}
			resp, pemBytes := ts.json(t, "GET", "/api/v1/certificates/"+c.Serial+"?format=pem", auth.RoleCAOperator, nil)
			wantStatus(t, resp, pemBytes, 200)
			if string(pemBytes) != c.CertificatePEM {
				t.Fatal("PEM differs from the JSON certificate")
			}
			resp, der := ts.json(t, "GET", "/api/v1/certificates/"+c.Serial+"?format=der", auth.RoleCAOperator, nil)
			wantStatus(t, resp, der, 200)
			if resp.Header.Get("Content-Type") != "application/pkix-cert" {
				t.Fatalf("DER content type %q", resp.Header.Get("Content-Type"))
			}
			o.write(p+".pem", pemBytes)
			out := o.run("verify", "-CAfile", "root.pem", "-untrusted", "ca.pem", p+".pem")
			if !strings.Contains(out, p+".pem: OK") {
				t.Fatalf("openssl verify: %s", out)
			}
			// The certificate carries the key of the request.
			certKey := o.run("x509", "-in", p+".pem", "-noout", "-pubkey")
			csrKey := o.run("req", "-in", p+".csr", "-noout", "-pubkey")
			if certKey != csrKey {
				t.Fatal("certificate key differs from the request's")
			}
		})
	}
	if t.Failed() {
		return
	}

	t.Run("search", func(t *testing.T) {
		resp, body := ts.json(t, "GET", "/api/v1/certificates?snils=112-233-445%2095&limit=2", auth.RoleCabinet, nil)
		wantStatus(t, resp, body, 200)
		page := decode[api.CertificatePage](t, body)
		if len(page.Items) != 2 || page.NextCursor == "" {
			t.Fatalf("first page: %d items, next %q", len(page.Items), page.NextCursor)
		}
		seen := map[string]bool{}
		for cursor := page.NextCursor; ; {
			for _, it := range page.Items {
				seen[it.Serial] = true
			}
			if cursor == "" {
				break
			}
			resp, body = ts.json(t, "GET", "/api/v1/certificates?snils=11223344595&limit=2&cursor="+url.QueryEscape(cursor), auth.RoleCabinet, nil)
			wantStatus(t, resp, body, 200)
			page = decode[api.CertificatePage](t, body)
			cursor = page.NextCursor
		}
		// Four qualified profiles carry the SNILS.
		if len(seen) != 4 {
			t.Fatalf("paged through %d certificates with the SNILS, want 4", len(seen))
		}
		resp, body = ts.json(t, "GET", "/api/v1/certificates?inn=7707083893", auth.RoleAuditor, nil)
		wantStatus(t, resp, body, 200)
		if page := decode[api.CertificatePage](t, body); len(page.Items) != 1 || page.Items[0].Serial != serials[pkix.ProfileQualifiedLegalEntityHead.Name] {
			t.Fatalf("search by INNLE: %+v", page)
		}
		resp, body = ts.json(t, "GET", "/api/v1/certificates?ogrn=304500116000102", auth.RoleAuditor, nil)
		wantStatus(t, resp, body, 200)
		if page := decode[api.CertificatePage](t, body); len(page.Items) != 1 || page.Items[0].Serial != serials[pkix.ProfileQualifiedEntrepreneur.Name] {
			t.Fatalf("search by OGRNIP: %+v", page)
		}
	})

	person := serials[pkix.ProfileQualifiedPerson.Name]
	leaf := pkix.ProfileQualifiedPerson.Name + ".pem"
	ocsp := func(t *testing.T, wantStatus string, extra ...string) string {
		t.Helper()
		args := append([]string{"ocsp", "-url", ts.base + "/ocsp", "-issuer", "ca.pem", "-cert", leaf, "-CAfile", "root.pem", "-resp_text"}, extra...)
		out := o.run(args...)
		for _, w := range []string{"Response verify OK", leaf + ": " + wantStatus} {
			if !strings.Contains(out, w) {
				t.Fatalf("openssl ocsp lacks %q:\n%s", w, out)
			}
		}
		return out
	}
	crl := func(t *testing.T) string {
		t.Helper()
		resp, der := ts.do(t, "GET", "/crl/gost256.crl", "", "", nil)
		wantStatus(t, resp, der, 200)
		if resp.Header.Get("Content-Type") != "application/pkix-crl" || resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
			t.Fatalf("CRL headers %v", resp.Header)
		}
		// A conditional request gets 304.
		r2, _ := ts.do(t, "GET", "/crl/gost256.crl", "", "", nil, "If-None-Match", resp.Header.Get("ETag"))
		if r2.StatusCode != 304 {
			t.Fatalf("conditional CRL request: %d", r2.StatusCode)
		}
		o.write("crl.der", der)
		out := o.run("crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "ca.pem", "-noout", "-text")
		if !strings.Contains(out, "verify OK") {
			t.Fatalf("openssl crl: %s", out)
		}
		return out
	}
	serialLine := "Serial Number: " + strings.ToUpper(person)
	if len(person)%2 == 1 {
		serialLine = "Serial Number: 0" + strings.ToUpper(person)
	}

	t.Run("good", func(t *testing.T) {
		ocsp(t, "good")
		ocsp(t, "good", "-no_nonce") // the pre-signed response
		if out := crl(t); strings.Contains(out, serialLine) {
			t.Fatalf("valid certificate in the CRL:\n%s", out)
		}
	})
	t.Run("suspend", func(t *testing.T) {
		resp, body := ts.json(t, "POST", "/api/v1/certificates/"+person+"/suspend", auth.RoleCAOperator, map[string]string{"comment": "subscriber asked"})
		wantStatus(t, resp, body, 200)
		if c := decode[api.Certificate](t, body); c.Status != "on_hold" || c.RevocationReason != "certificateHold" {
			t.Fatalf("suspended: %+v", c)
		}
		out := ocsp(t, "revoked")
		if !strings.Contains(out, "certificateHold") {
			t.Fatalf("OCSP hold without certificateHold:\n%s", out)
		}
		ocsp(t, "revoked", "-no_nonce")
		if out := crl(t); !strings.Contains(out, serialLine) || !strings.Contains(out, "Certificate Hold") {
			t.Fatalf("suspended certificate not in the CRL as held:\n%s", out)
		}
	})
	t.Run("resume", func(t *testing.T) {
		resp, body := ts.json(t, "POST", "/api/v1/certificates/"+person+"/resume", auth.RoleCAAdmin, nil)
		wantStatus(t, resp, body, 200)
		if c := decode[api.Certificate](t, body); c.Status != "valid" {
			t.Fatalf("resumed: %+v", c)
		}
		ocsp(t, "good")
		ocsp(t, "good", "-no_nonce")
		if out := crl(t); strings.Contains(out, serialLine) {
			t.Fatalf("resumed certificate still in the CRL:\n%s", out)
		}
	})
	t.Run("revoke", func(t *testing.T) {
		resp, body := ts.json(t, "POST", "/api/v1/certificates/"+person+"/revoke", auth.RoleCAOperator, map[string]string{"reason": "keyCompromise"})
		wantStatus(t, resp, body, 200)
		if c := decode[api.Certificate](t, body); c.Status != "revoked" || c.RevocationReason != "keyCompromise" || c.RevokedAt == nil {
			t.Fatalf("revoked: %+v", c)
		}
		out := ocsp(t, "revoked")
		if !strings.Contains(out, "keyCompromise") {
			t.Fatalf("OCSP revocation without its reason:\n%s", out)
		}
		ocsp(t, "revoked", "-no_nonce")
		if out := crl(t); !strings.Contains(out, serialLine) || !strings.Contains(out, "Key Compromise") {
			t.Fatalf("revoked certificate not in the CRL:\n%s", out)
		}
		resp, body = ts.json(t, "GET", "/api/v1/certificates?snils=11223344595&status=revoked", auth.RoleCAOperator, nil)
		wantStatus(t, resp, body, 200)
		if page := decode[api.CertificatePage](t, body); len(page.Items) != 1 || page.Items[0].Serial != person {
			t.Fatalf("search for revoked: %+v", page)
		}
	})
	t.Run("ocsp-get", func(t *testing.T) {
		// RFC 6960 A.1 GET, cacheable, answered from the pre-signed
		// response (SHA-1 CertID, no nonce).
		o.run("ocsp", "-issuer", "ca.pem", "-cert", leaf, "-no_nonce", "-reqout", "req.der")
		path := "/ocsp/" + url.PathEscape(base64.StdEncoding.EncodeToString(o.read("req.der")))
		resp, der := ts.do(t, "GET", path, "", "", nil)
		wantStatus(t, resp, der, 200)
		if resp.Header.Get("Content-Type") != "application/ocsp-response" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=") || resp.Header.Get("ETag") == "" {
			t.Fatalf("OCSP GET headers: %v", resp.Header)
		}
		o.write("resp.der", der)
		out := o.run("ocsp", "-respin", "resp.der", "-issuer", "ca.pem", "-cert", leaf, "-no_nonce", "-CAfile", "root.pem")
		if !strings.Contains(out, "Response verify OK") || !strings.Contains(out, leaf+": revoked") {
			t.Fatalf("openssl ocsp on the GET answer:\n%s", out)
		}
	})
	t.Run("ocsp-unknown", func(t *testing.T) {
		// A serial this CA never issued.
		out := o.run("ocsp", "-url", ts.base+"/ocsp", "-issuer", "ca.pem", "-serial", "0x0123456789abcdef", "-CAfile", "root.pem")
		if !strings.Contains(out, "Response verify OK") || !strings.Contains(out, "0x0123456789abcdef: unknown") {
			t.Fatalf("unknown serial:\n%s", out)
		}
	})
	t.Run("metrics", func(t *testing.T) {
		resp, body := ts.do(t, "GET", "/metrics", "", "", nil)
		wantStatus(t, resp, body, http.StatusOK)
		for _, w := range []string{
			`gostca_ocsp_requests_total{result="revoked",source="presigned"}`,
			`gostca_ocsp_requests_total{result="good",source="live"}`,
			"gostca_issuance_duration_seconds_bucket", "gostca_hsm_sign_duration_seconds_count",
			"gostca_crl_build_duration_seconds_count", "gostca_crl_size_bytes", "gostca_issuance_batch_size_bucket",
			"gostca_issuance_queue_depth", `gostca_http_requests_total{code="201",method="POST",route="certificates"}`,
		} {
			if !strings.Contains(string(body), w) {
				t.Errorf("metrics lack %s", w)
			}
		}
	})
	t.Run("audit", func(t *testing.T) {
		resp, body := ts.json(t, "GET", "/api/v1/audit?limit=1000", auth.RoleAuditor, nil)
		wantStatus(t, resp, body, 200)
		page := decode[struct{ Items []wire.AuditEntry }](t, body)
		actions := map[string]string{}
		for _, a := range page.Items {
			if a.Subject == person {
				actions[a.Action] = a.Actor
			}
		}
		for _, act := range []string{"issue", "hold", "resume", "revoke"} {
			if !strings.HasPrefix(actions[act], "token:") {
				t.Errorf("audit: %s of %s by %q", act, person, actions[act])
			}
		}
		if err := ts.e.Store().VerifyAudit(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}
