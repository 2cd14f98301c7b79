package api_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/config"
)

// fullCAName gives the CA the full name of the Russian profile.
func fullCAName(cfg *config.Config) {
	cfg.CA.Organization = `ООО "Тестовый УЦ"`
	cfg.CA.Region, cfg.CA.Locality, cfg.CA.Street = "77 г. Москва", "Москва", "ул. Тверская, д. 7"
	cfg.CA.Email, cfg.CA.INNLE, cfg.CA.OGRN = "ca@example.ru", "7707083893", "1027700132195"
	cfg.CA.Classes = []string{"KC1", "KC2"}
}

// TestRequestedExtKeyUsage: a profile's configured purposes are in every
// certificate, a request may add one from the allow-list, and anything
// else is a 400 naming what the profile allows. OpenSSL reads the
// purposes.
func TestRequestedExtKeyUsage(t *testing.T) {
	o := newOSSL(t)
	ts := startServer(t, func(cfg *config.Config) {
		cfg.CertificateProfiles = map[string]config.ProfileConfig{"qualified-person": {
			ExtKeyUsage: []string{"1.2.643.2.2.34.6"}, AllowedExtKeyUsage: []string{"1.2.643.3.7.8.1", "1.2.643.3.7.0.1.1"}}}
	})
	body := issueBody("qualified-person", b64CSR(t))
	body.ExtKeyUsage = []string{"1.2.643.3.7.8.1"}
	resp, data := ts.json(t, http.MethodPost, "/api/v1/certificates", auth.RoleCAOperator, body)
	wantStatus(t, resp, data, http.StatusCreated)
	text := o.run("x509", "-in", o.write("eku.pem", []byte(decode[api.Certificate](t, data).CertificatePEM)), "-noout", "-text")
	i := strings.Index(text, "Extended Key Usage")
	if i < 0 {
		t.Fatalf("no extended key usage:\n%s", text)
	}
	line := strings.Join(strings.SplitN(text[i:], "\n", 3)[:2], " ") // the name and its value line
	for _, want := range []string{"TLS Web Client Authentication", "E-mail Protection", "1.2.643.2.2.34.6", "1.2.643.3.7.8.1"} {
		if !strings.Contains(line, want) {
			t.Errorf("extended key usage lacks %s: %s", want, line)
		}
	}
	if strings.Contains(line, "1.2.643.3.7.0.1.1") {
		t.Error("an allowed but unrequested purpose was added")
	}

	body = issueBody("qualified-person", b64CSR(t))
	body.ExtKeyUsage = []string{"1.3.6.1.5.5.7.3.1"}
	resp, data = ts.json(t, http.MethodPost, "/api/v1/certificates", auth.RoleCAOperator, body)
	p := wantProblem(t, resp, data, http.StatusBadRequest, "ext_key_usage_not_allowed")
	if p.Field != "ext_key_usage" || !strings.Contains(p.Detail, "1.3.6.1.5.5.7.3.1") || !strings.Contains(p.Detail, "1.2.643.3.7.8.1, 1.2.643.3.7.0.1.1") {
		t.Fatalf("problem %+v", p)
	}
	body.ExtKeyUsage = []string{"1.2.643.x"}
	resp, data = ts.json(t, http.MethodPost, "/api/v1/certificates", auth.RoleCAOperator, body)
	if p := wantProblem(t, resp, data, http.StatusBadRequest, "invalid_request"); p.Field != "ext_key_usage" {
		t.Fatalf("problem %+v", p)
	}
	// A profile with no allow-list takes none.
	body = issueBody("tls-client", b64CSR(t))
	body.ExtKeyUsage = []string{"1.2.643.3.7.8.1"}
	resp, data = ts.json(t, http.MethodPost, "/api/v1/certificates", auth.RoleCAOperator, body)
	if p := wantProblem(t, resp, data, http.StatusBadRequest, "ext_key_usage_not_allowed"); !strings.Contains(p.Detail, "allows no purposes beyond its own") {
		t.Fatalf("problem %+v", p)
	}
}

// TestCreatedCAChainWithCRLs: the CA `init` creates carries an accredited
// CA's name and extensions, its root (key online) publishes
// /crl/root.crl, which the issuing CA certificate names; `openssl verify
// -crl_check_all` passes on the full chain with both CRLs and fails for
// a revoked leaf.
func TestCreatedCAChainWithCRLs(t *testing.T) {
	o := newOSSL(t)
	ts := startServer(t, func(cfg *config.Config) {
		fullCAName(cfg)
		cfg.CertificateProfiles = map[string]config.ProfileConfig{"issuing-ca": {KeyUsageMonths: 24}, "root-ca": {KeyUsageMonths: 120}}
	})
	get := func(path string) []byte {
		resp, data := ts.do(t, http.MethodGet, path, "", "", nil)
		wantStatus(t, resp, data, http.StatusOK)
		return data
	}
	o.run("x509", "-inform", "DER", "-in", o.write("root.der", get("/ca/root.crt")), "-out", "root.pem")
	o.run("x509", "-inform", "DER", "-in", o.write("ica.der", get("/ca/gost256.crt")), "-out", "ica.pem")
	ica := o.run("x509", "-in", "ica.pem", "-noout", "-text", "-nameopt", "utf8,sep_comma_plus")
	for _, want := range []string{"C=RU,ST=77 г. Москва,L=Москва,street=ул. Тверская, д. 7,O=ООО \"Тестовый УЦ\",CN=GostCA demo issuing CA,emailAddress=ca@example.ru",
		"OGRN=1027700132195", "7707083893", "Private Key Usage Period", "Signing Tool of Subject", "Signing Tool of Issuer",
		"Class of Signing Tool KC1", "Class of Signing Tool KC2", "X509v3 Any Policy",
		"URI:" + ts.base + "/crl/root.crl", "CA Issuers - URI:" + ts.base + "/ca/root.crt", "email:ca@example.ru"} {
		if !strings.Contains(ica, want) {
			t.Errorf("issuing CA certificate lacks %q:\n%s", want, ica)
		}
	}
	if root := o.run("x509", "-in", "root.pem", "-noout", "-text"); !strings.Contains(root, "Signing Tool of Subject") ||
		!strings.Contains(root, "Signing Tool of Issuer") || !strings.Contains(root, "Class of Signing Tool KC2") || !strings.Contains(root, "Private Key Usage Period") {
		t.Errorf("root certificate:\n%s", root)
	}
	// 24 months of key usage, as configured.
	is := ts.e.Issuers()[0].Cert
	if nb, na, _ := is.SigningWindow(); na.Sub(nb) > 732*24*3600e9 || na.Sub(nb) < 729*24*3600e9 {
		t.Errorf("key-usage period %s .. %s", nb, na)
	}

	o.write("root.crl.der", get("/crl/root.crl"))
	if out := o.run("crl", "-inform", "DER", "-in", "root.crl.der", "-CAfile", "root.pem", "-noout", "-text"); !strings.Contains(out, "verify OK") ||
		!strings.Contains(out, "No Revoked Certificates") {
		t.Fatalf("root CRL:\n%s", out)
	}
	o.run("crl", "-inform", "DER", "-in", "root.crl.der", "-out", "root.crl.pem")

	resp, data := ts.json(t, http.MethodPost, "/api/v1/certificates", auth.RoleCAOperator, issueBody("qualified-person", b64CSR(t)))
	wantStatus(t, resp, data, http.StatusCreated)
	leaf := decode[api.Certificate](t, data)
	o.write("leaf.pem", []byte(leaf.CertificatePEM))
	verify := func() (string, error) {
		o.write("ica.crl.der", get("/crl/gost256.crl"))
		o.run("crl", "-inform", "DER", "-in", "ica.crl.der", "-out", "ica.crl.pem")
		return o.try("verify", "-crl_check_all", "-CAfile", "root.pem", "-untrusted", "ica.pem", "-CRLfile", "root.crl.pem", "-CRLfile", "ica.crl.pem", "leaf.pem")
	}
	if out, err := verify(); err != nil || !strings.Contains(out, "leaf.pem: OK") {
		t.Fatalf("openssl verify -crl_check_all: %v\n%s", err, out)
	}
	resp, data = ts.json(t, http.MethodPost, "/api/v1/certificates/"+leaf.Serial+"/revoke", auth.RoleCAOperator, api.StatusRequest{Reason: "keyCompromise"})
	wantStatus(t, resp, data, http.StatusOK)
	if out, err := verify(); err == nil || !strings.Contains(out, "certificate revoked") {
		t.Fatalf("openssl verify after revocation: %v\n%s", err, out)
	}

	// The root CRL on demand (ca_admin), numbered above the last; an
	// upload is refused while the root key is online.
	resp, data = ts.json(t, http.MethodPost, "/api/v1/issuers/root/crl", auth.RoleCAAdmin, nil)
	wantStatus(t, resp, data, http.StatusCreated)
	if info := decode[api.CRLInfo](t, data); info.Issuer != "root" || info.URL != "/crl/root.crl" || info.Number == "1" {
		t.Fatalf("root CRL %+v", info)
	}
	resp, data = ts.json(t, http.MethodPost, "/api/v1/issuers/root/crl", auth.RoleCAAdmin, api.RootCRLUpload{CRL: string(o.read("root.crl.pem"))})
	wantProblem(t, resp, data, http.StatusConflict, "invalid_transition")
	resp, data = ts.json(t, http.MethodPost, "/api/v1/issuers/root/crl", auth.RoleCAOperator, nil)
	wantProblem(t, resp, data, http.StatusForbidden, "forbidden")
}

// b64CSR is a fresh request as the API takes it: base64 of the DER.
func b64CSR(t *testing.T) []byte { return []byte(base64.StdEncoding.EncodeToString(goCSR(t))) }
