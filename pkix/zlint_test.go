package pkix

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"sort"
	"strings"
	"testing"
	"time"

	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	"github.com/zmap/zlint/v3/lint"
)

// zlintAllowed lists the zlint findings (notice and above) our
// certificates may have, with why each is the Russian profile's doing
// rather than a defect, and the kinds of certificate it may appear on.
// zlint applies the CA/Browser Forum's TLS and S/MIME rules to any CA
// certificate without extKeyUsage and to any certificate with
// emailProtection; the qualified-certificate hierarchy under the national
// root follows 63-FZ and the FSB orders instead.
var zlintAllowed = map[string]struct {
	why   string
	kinds []string // "ca", "qualified", "tls", "ocsp"
}{
	// GOST R 34.10-2012 is not among the CA/B key and signature
	// algorithms; zcrypto cannot check a GOST self-signature, so it takes
	// our root for a subordinate CA as well.
	"e_algorithm_identifier_improper_encoding": {"GOST R 34.10-2012 key (RFC 9215) outside the CA/B list of SubjectPublicKeyInfo encodings", []string{"ca"}},
	"e_invalid_spki_algoid":                    {"GOST R 34.10-2012 key outside the CA/B (TLS, S/MIME) key algorithms", []string{"ca", "qualified"}},
	"e_public_key_type_not_allowed":            {"GOST R 34.10-2012 key outside the CA/B key types", []string{"ca"}},
	"e_signature_algorithm_not_supported":      {"GOST R 34.10-2012 signature outside the CA/B signature algorithms", []string{"ca"}},
	"e_sub_ca_crl_distribution_points_missing": {"the root is self-signed with GOST, which zcrypto cannot verify, so zlint takes it for a subordinate CA; a root names no CRL of its own", []string{"ca"}},
	"w_sub_ca_aia_missing":                     {"as above: a self-signed root has no issuer to point to", []string{"ca"}},
	// CA/B TLS rules for CAs that are not TLS CAs.
	"e_ext_san_rfc822_name_present":     {"CA/B TLS rule (dNSName/iPAddress only); our CAs are not TLS server CAs, and RFC 5280 §4.1.2.6 wants the CA's emailAddress in subjectAltName", []string{"ca"}},
	"e_invalid_ca_certificate_policies": {"CA/B TLS rule; accredited CAs' certificates list the crypto-tool classes (1.2.643.100.113.x) with anyPolicy, as the national root does", []string{"ca"}},
	"n_mp_allowed_eku":                  {"Mozilla policy for TLS/S/MIME sub-CAs; accredited CA certificates carry no extKeyUsage", []string{"ca"}},
	"n_sub_ca_eku_missing":              {"as above", []string{"ca"}},
	"n_ct_sct_policy_count_unsatisfied": {"Certificate Transparency is a browser TLS policy; qualified certificates are not logged", []string{"qualified", "tls", "ocsp"}},
	// The Russian qualified profile.
	"e_key_usage_and_extended_key_usage_inconsistent": {"the qualified profile requires digitalSignature, nonRepudiation, keyEncipherment and dataEncipherment with clientAuth and emailProtection in one certificate", []string{"qualified"}},
	"e_exactly_one_smime_policy":                      {"CA/B S/MIME rule; qualified certificates carry the crypto-tool class policies instead of S/MIME BR policy OIDs", []string{"qualified"}},
}

// zlintFindings runs every zlint lint over der and returns those at
// notice level or above.
func zlintFindings(t *testing.T, der []byte) map[string]string {
	t.Helper()
	c, err := zx509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("zcrypto cannot parse the certificate: %v", err)
	}
	out := map[string]string{}
	for id, r := range zlint.LintCertificate(c).Results {
		if r.Status >= lint.Notice && r.Status != lint.NE {
			out[id] = r.Status.String() + ": " + r.Details
		}
	}
	return out
}

// zlint (github.com/zmap/zlint/v3), an independent linter, finds nothing
// in any profile we issue beyond what zlintAllowed lists and explains:
// root, issuing CA (with the extensions of an accredited CA), OCSP
// responder, the four qualified profiles, TLS client (GOST and ECDSA).
func TestZlintProfiles(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	root, ica := accreditedCA(t, now)
	type item struct {
		kind string
		der  []byte
	}
	certs := map[string]item{"root-ca": {"ca", root.cert.Raw}, "issuing-ca": {"ca", ica.cert.Raw}}
	for _, p := range []*Profile{ProfileOCSPSigner, ProfileQualifiedPerson, ProfileQualifiedEntrepreneur, ProfileQualifiedLegalEntityHead, ProfileQualifiedEmployee, ProfileTLSClient} {
		kind := "qualified"
		switch p {
		case ProfileOCSPSigner:
			kind = "ocsp"
		case ProfileTLSClient:
			kind = "tls"
		}
		certs[p.Name] = item{kind, issueFor(t, ica, p, gostKey(t, "tc26-256-A").Public(), now)}
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	certs["tls-client-ecdsa"] = item{"tls", issueFor(t, ica, ProfileTLSClient, &ec.PublicKey, now)}

	names := make([]string, 0, len(certs))
	for n := range certs {
		names = append(names, n)
	}
	sort.Strings(names)
	used := map[string]bool{}
	for _, n := range names {
		it := certs[n]
		for id, detail := range zlintFindings(t, it.der) {
			a, ok := zlintAllowed[id]
			if !ok || !contains(a.kinds, it.kind) {
				t.Errorf("%s: zlint %s (%s)", n, id, detail)
				continue
			}
			used[id] = true
		}
	}
	for id := range zlintAllowed {
		if !used[id] {
			t.Errorf("allowed finding %s no longer occurs: remove it from zlintAllowed", id)
		}
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// issueFor issues a certificate of profile p with a subject that fits it.
func issueFor(t *testing.T, ca *testCA, p *Profile, pub crypto.PublicKey, now time.Time) []byte {
	t.Helper()
	subj := subscriberSubject(p)
	if p == ProfileOCSPSigner {
		subj = &Subject{CommonName: "Тестовый УЦ: OCSP", Organization: `ООО "ГостЦА"`, Country: "RU"}
	}
	serial, _ := NewSerialNumber(rand.Reader)
	der, err := CreateCertificate(rand.Reader, &CertificateTemplate{
		Profile: p, SerialNumber: serial, NotBefore: now, Subject: subj, PublicKey: spkiOf(t, pub),
		SubjectSignTool: `СКЗИ "КриптоПро CSP" (версия 5.0)`, IdentificationKind: IdentificationPersonal,
	}, ca.iss, ca.key)
	if err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	return der
}
