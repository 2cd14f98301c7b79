package pkix

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"strings"
	"testing"
	"time"
)

// crlOpenSSLText runs `openssl crl -CAfile` on der and returns its output
// (the text and, on standard error, "verify OK" or "verify failure").
func (o *crlOSSL) crlText(ca *crlOSSLCert, name string, der []byte) (string, error) {
	return o.try("crl", "-inform", "DER", "-in", o.write(name, der), "-CAfile", ca.name+".pem", "-noout", "-text")
}

func crlWantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("openssl output lacks %q:\n%s", w, out)
		}
	}
}

// TestCRLOpenSSL has OpenSSL verify and print full and delta CRLs signed
// here with CA keys of three parameter sets.
func TestCRLOpenSSL(t *testing.T) {
	for _, curve := range []string{"tc26-256-A", "tc26-256-B", "tc26-512-A"} {
		t.Run(curve, func(t *testing.T) {
			t.Parallel()
			o := newCRLOSSL(t)
			ca := o.ca("ca", curve)
			now := time.Now().UTC().Truncate(time.Second)

			full := &CRLTemplate{
				Issuer: ca.subject, AuthorityKeyID: ca.ski,
				Number: big.NewInt(42), ThisUpdate: now, NextUpdate: now.Add(24 * time.Hour),
				FreshestCRL: []string{"http://crl.example.ru/delta.crl"},
				IssuingDistributionPoint: &IssuingDistributionPoint{
					URIs: []string{"http://crl.example.ru/ca-p1.crl"}, OnlyUser: true,
				},
			}
			entries := []RevokedEntry{
				{Serial: crlSerial("0a1b2c3d"), RevokedAt: now.Add(-time.Hour), Reason: ReasonKeyCompromise,
					InvalidityDate: now.Add(-72 * time.Hour)},
				{Serial: crlSerial("ff00"), RevokedAt: now.Add(-2 * time.Hour), Reason: ReasonCertificateHold},
				{Serial: crlSerial("1234567890abcdef1234567890abcdef"), RevokedAt: now.Add(-3 * time.Hour)},
				{Serial: crlSerial("05"), RevokedAt: now.Add(-4 * time.Hour), Reason: ReasonSuperseded},
				{Serial: crlSerial("06"), RevokedAt: now.Add(-4 * time.Hour), Reason: ReasonCessationOfOperation},
				{Serial: crlSerial("07"), RevokedAt: now.Add(-4 * time.Hour), Reason: ReasonAffiliationChanged},
				{Serial: crlSerial("08"), RevokedAt: now.Add(-4 * time.Hour), Reason: ReasonCACompromise},
				{Serial: crlSerial("09"), RevokedAt: now.Add(-4 * time.Hour), Reason: ReasonPrivilegeWithdrawn},
			}
			der, err := CreateCRL(rand.Reader, ca.key, full, entries)
			if err != nil {
				t.Fatal(err)
			}
			out, err := o.crlText(ca, "full.crl", der)
			if err != nil {
				t.Fatalf("openssl crl: %v\n%s", err, out)
			}
			crlWantLines(t, out, "verify OK", "Version 2 (0x1)",
				"X509v3 CRL Number: \n                42",
				"X509v3 Authority Key Identifier",
				"X509v3 Issuing Distribution Point: critical",
				"URI:http://crl.example.ru/ca-p1.crl", "Only User Certificates",
				"X509v3 Freshest CRL", "URI:http://crl.example.ru/delta.crl",
				"Serial Number: 0A1B2C3D", "Key Compromise", "Invalidity Date",
				"Serial Number: FF00", "Certificate Hold",
				"Serial Number: 1234567890ABCDEF1234567890ABCDEF",
				"Superseded", "Cessation Of Operation", "Affiliation Changed",
				"CA Compromise", "Privilege Withdrawn")
			if strings.Count(out, "Serial Number:") != len(entries) {
				t.Errorf("openssl lists %d entries, want %d", strings.Count(out, "Serial Number:"), len(entries))
			}

			delta := &CRLTemplate{
				Issuer: ca.subject, AuthorityKeyID: ca.ski,
				Number: big.NewInt(43), DeltaOf: big.NewInt(42),
				ThisUpdate: now, NextUpdate: now.Add(time.Hour),
			}
			der, err = CreateCRL(rand.Reader, ca.key, delta, []RevokedEntry{
				{Serial: crlSerial("ff00"), RevokedAt: now.Add(-2 * time.Hour), Reason: ReasonRemoveFromCRL},
				{Serial: crlSerial("ff01"), RevokedAt: now, Reason: ReasonCertificateHold},
			})
			if err != nil {
				t.Fatal(err)
			}
			out, err = o.crlText(ca, "delta.crl", der)
			if err != nil {
				t.Fatalf("openssl crl: %v\n%s", err, out)
			}
			crlWantLines(t, out, "verify OK", "X509v3 Delta CRL Indicator: critical\n                42",
				"X509v3 CRL Number: \n                43", "Remove From CRL", "Certificate Hold")

			// A CRL signed by another key must fail.
			other := o.ca("other", curve)
			der, err = CreateCRL(rand.Reader, other.key, full, entries)
			if err != nil {
				t.Fatal(err)
			}
			out, _ = o.crlText(ca, "forged.crl", der)
			crlWantLines(t, out, "verify failure")
			if strings.Contains(out, "verify OK") {
				t.Error("openssl accepted a CRL signed with another key")
			}
		})
	}
}

// TestParseCRLOpenSSL parses CRLs that `openssl ca -gencrl` signed: v2
// with CRL number, AKI, IDP, entries with reasons, invalidity date and the
// holdInstructionCode entry extension (ignored: non-critical).
func TestParseCRLOpenSSL(t *testing.T) {
	for _, curve := range []string{"tc26-256-A", "tc26-512-A"} {
		t.Run(curve, func(t *testing.T) {
			t.Parallel()
			o := newCRLOSSL(t)
			ca := o.ca("ca", curve)
			o.issue(ca, "l1", "tc26-256-B", "01f0", "")
			o.issue(ca, "l2", "tc26-256-A", "80000000000000000001", "")
			o.issue(ca, "l3", "tc26-256-A", "03", "")
			o.issue(ca, "l4", "tc26-256-A", "04", "")
			o.write("index.txt", nil)
			o.write("crlnumber", []byte("1000\n"))
			conf := o.write("ca.cnf", []byte(`[ca]
default_ca = myca
[myca]
database = index.txt
crlnumber = crlnumber
certificate = ca.pem
private_key = ca.key
default_md = `+strings.TrimPrefix(crlMD(curve), "-")+`
default_crl_days = 7
crl_extensions = crlext
[crlext]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp
[idp]
fullname = URI:http://crl.example.ru/ca.crl
onlyuser = TRUE
`))
			o.run("ca", "-config", conf, "-revoke", "l1.pem", "-crl_reason", "keyCompromise")
			o.run("ca", "-config", conf, "-revoke", "l2.pem", "-crl_hold", "holdInstructionCallIssuer")
			o.run("ca", "-config", conf, "-revoke", "l3.pem", "-crl_compromise", "20260101000000Z")
			o.run("ca", "-config", conf, "-revoke", "l4.pem")
			o.run("ca", "-config", conf, "-gencrl", "-out", "ca.crl")
			o.run("crl", "-in", "ca.crl", "-outform", "DER", "-out", "ca.crl.der")
			der := o.read("ca.crl.der")

			c, err := ParseCRL(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.CheckSignatureFrom(ca.key.Public()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(c.Issuer, ca.subject) || c.Number.Int64() != 0x1000 || c.DeltaOf != nil ||
				!bytes.Equal(c.AuthorityKeyID, ca.ski) || c.NextUpdate.Sub(c.ThisUpdate) != 7*24*time.Hour {
				t.Errorf("CRL fields: %+v", c)
			}
			if idp := c.IssuingDistributionPoint; idp == nil || !idp.OnlyUser ||
				len(idp.URIs) != 1 || idp.URIs[0] != "http://crl.example.ru/ca.crl" {
				t.Errorf("IDP: %+v", idp)
			}
			want := map[string]RevokedEntry{
				"01f0":                 {Reason: ReasonKeyCompromise},
				"80000000000000000001": {Reason: ReasonCertificateHold},
				"03":                   {Reason: ReasonKeyCompromise, InvalidityDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
				"04":                   {},
			}
			if len(c.Entries) != len(want) {
				t.Fatalf("%d entries, want %d", len(c.Entries), len(want))
			}
			for _, e := range c.Entries {
				w, ok := want[crlHex(e.Serial)]
				if !ok || e.Reason != w.Reason || !e.InvalidityDate.Equal(w.InvalidityDate) || e.RevokedAt.IsZero() {
					t.Errorf("entry %x: %+v", e.Serial, e)
				}
			}
		})
	}
}

func crlHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
