package pkix

import (
	"strings"
	"testing"
	"time"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// pkupValue is a privateKeyUsagePeriod value with the bounds' GeneralizedTime
// contents given as text ("" leaves a bound out), encoded by OpenSSL's
// ASN1_generate_nconf so the fixture does not come from our encoder.
func pkupValue(t *testing.T, nb, na string) []byte {
	t.Helper()
	conf := "asn1 = SEQUENCE:pkup\n[pkup]\n"
	if nb != "" {
		conf += "nb = IMPLICIT:0,GENTIME:" + nb + "\n"
	}
	if na != "" {
		conf += "na = IMPLICIT:1,GENTIME:" + na + "\n"
	}
	return opensslGenconf(t, conf)
}

// privateKeyUsagePeriod bounds with fractional seconds in their DER form
// (the 2025 national root writes notBefore "…00.876Z") parse; forms DER
// forbids stay refused.
func TestPrivateKeyUsagePeriodFractionalSeconds(t *testing.T) {
	v := pkupValue(t, "20251217100600.876Z", "20281217100600Z")
	nb, na, err := ParsePrivateKeyUsagePeriod(v)
	if err != nil {
		t.Fatalf("fractional notBefore refused: %v", err)
	}
	if want := time.Date(2025, 12, 17, 10, 6, 0, 876e6, time.UTC); !nb.Equal(want) {
		t.Errorf("notBefore %v, want %v", nb, want)
	}
	if want := time.Date(2028, 12, 17, 10, 6, 0, 0, time.UTC); !na.Equal(want) {
		t.Errorf("notAfter %v, want %v", na, want)
	}
	if _, na, err := ParsePrivateKeyUsagePeriod(pkupValue(t, "", "20281217100600.000000001Z")); err != nil || na.Nanosecond() != 1 {
		t.Errorf("nanosecond fraction: %v %v", na, err)
	}
	for _, bad := range []string{
		"20251217100600.870Z",        // trailing zero
		"20251217100600.Z",           // no digit
		"20251217100600.0Z",          // zero fraction must be left out
		"20251217100600,876Z",        // comma
		"20251217100600.8760000001Z", // beyond nanoseconds
		"20251217100600.87aZ",
		"20251217100600.876", // no Z
		"20251217100600.876+0300",
	} {
		// Built by hand: OpenSSL's generator refuses some of these.
		content := []byte(bad)
		v := csrElem(cbasn1.SEQUENCE, append([]byte{0x80, byte(len(content))}, content...))
		if _, _, err := ParsePrivateKeyUsagePeriod(v); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A CA certificate's privateKeyUsagePeriod (fractional seconds included)
// is available to the engine, and narrows the window in which the CA may
// issue.
func TestCertificateSigningWindow(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), now)

	// Without the extension (our root has none): the certificate's
	// validity.
	if _, ok, err := root.cert.KeyUsagePeriod(); ok || err != nil {
		t.Fatalf("KeyUsagePeriod without the extension: %v %v", ok, err)
	}
	nb, na, err := root.cert.SigningWindow()
	if err != nil || !nb.Equal(root.cert.NotBefore) || !na.Equal(root.cert.NotAfter) {
		t.Fatalf("window %v..%v %v", nb, na, err)
	}
	// Our issuing CA's: 36 calendar months from notBefore.
	p, ok, err := ica.cert.KeyUsagePeriod()
	if err != nil || !ok || !p.NotBefore.Equal(ica.cert.NotBefore) || !p.NotAfter.Equal(AddMonths(ica.cert.NotBefore, 36)) {
		t.Fatalf("issuing CA's period %+v %v %v", p, ok, err)
	}
	if _, na, _ := ica.cert.SigningWindow(); !na.Equal(p.NotAfter) {
		t.Fatalf("issuing CA's window ends %v", na)
	}

	// With one ending three years in (the certificate runs ten): the
	// window ends there. Only notAfter: the start is notBefore's.
	keyEnd := now.Add(3 * year).UTC()
	for name, pkup := range map[string][]byte{
		"both bounds":   pkupValue(t, ica.cert.NotBefore.UTC().Format("20060102150405")+".5Z", keyEnd.Format("20060102150405Z")),
		"notAfter only": pkupValue(t, "", keyEnd.Format("20060102150405Z")),
	} {
		el := tbsElements(t, ica.cert.RawTBS)
		exts := withoutExt(ica.cert.Extensions, OIDExtPrivateKeyUsagePeriod)
		exts = append(exts, Extension{ID: OIDExtPrivateKeyUsagePeriod, Value: pkup})
		extDER, err := MarshalExtensions(exts)
		if err != nil {
			t.Fatal(err)
		}
		el[7] = csrElem(cbasn1.Tag(3).Constructed().ContextSpecific(), extDER)
		c, err := ParseCertificate(root.resign(t, el...))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p, ok, err := c.KeyUsagePeriod()
		if err != nil || !ok || !p.NotAfter.Equal(keyEnd) {
			t.Fatalf("%s: period %+v %v %v", name, p, ok, err)
		}
		if name == "both bounds" && p.NotBefore.Nanosecond() != 5e8 {
			t.Fatalf("%s: fraction lost: %v", name, p.NotBefore)
		}
		nb, na, err := c.SigningWindow()
		if err != nil || !na.Equal(keyEnd) || nb.Before(c.NotBefore) {
			t.Fatalf("%s: window %v..%v %v", name, nb, na, err)
		}
		if !p.Contains(now.Add(year)) || p.Contains(keyEnd.Add(time.Second)) {
			t.Fatalf("%s: Contains is wrong", name)
		}
		if name == "notAfter only" && !p.Contains(time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatal("an absent notBefore limits the period")
		}
	}

	// A broken extension is reported, not taken as absent.
	el := tbsElements(t, ica.cert.RawTBS)
	exts := append(withoutExt(ica.cert.Extensions, OIDExtPrivateKeyUsagePeriod), Extension{ID: OIDExtPrivateKeyUsagePeriod, Value: []byte{0x30, 0x00}})
	extDER, _ := MarshalExtensions(exts)
	el[7] = csrElem(cbasn1.Tag(3).Constructed().ContextSpecific(), extDER)
	c, err := ParseCertificate(root.resign(t, el...))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.SigningWindow(); err == nil || !strings.Contains(err.Error(), "privateKeyUsagePeriod") {
		t.Fatalf("broken extension: %v", err)
	}
}
