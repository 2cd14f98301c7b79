package pkix

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gostca/gostca/gost/gost3410"
)

// csrSentinels are the errors every rejection must wrap one of.
var csrSentinels = []error{ErrMalformed, ErrTrailingData, ErrUnsupported, ErrDuplicate,
	ErrTooLarge, ErrInvalidValue, ErrBadSignature}

// csrCheckResult is the fuzz invariant of ParseCertificateRequest over
// data: a rejection is a *CSRError wrapping a sentinel; an accepted
// request is well formed and parses again from Raw to the same value.
func csrCheckResult(t *testing.T, data []byte, r *CertificateRequest, err error) {
	t.Helper()
	if err != nil {
		if r != nil {
			t.Fatal("request and error both returned")
		}
		var ce *CSRError
		if !errors.As(err, &ce) || ce.Field == "" {
			t.Fatalf("not a *CSRError: %v", err)
		}
		wraps := false
		for _, s := range csrSentinels {
			wraps = wraps || errors.Is(err, s)
		}
		if !wraps {
			t.Fatalf("wraps no sentinel: %v", err)
		}
		if !strings.HasPrefix(err.Error(), "pkix: certificate request: "+ce.Field+": ") {
			t.Fatalf("message %q", err)
		}
		return
	}
	csrCheckWellFormed(t, r)
	if data[0] == 0x30 && !bytes.Equal(r.Raw, data) {
		t.Fatal("DER input accepted but Raw differs")
	}
	r2, err := ParseCertificateRequest(r.Raw)
	if err != nil {
		t.Fatalf("Raw does not parse again: %v", err)
	}
	if !reflect.DeepEqual(r, r2) {
		t.Fatalf("re-parse differs:\n%+v\n%+v", r, r2)
	}
	// The PEM form of Raw is accepted as well (unless it exceeds the size
	// bound, which applies to the input as given).
	if p := pem.EncodeToMemory(&pem.Block{Type: pemTypeCSR, Bytes: r.Raw}); len(p) <= maxCSRSize {
		r3, err := ParseCertificateRequest(p)
		if err != nil || !reflect.DeepEqual(r, r3) {
			t.Fatalf("PEM of Raw: %v", err)
		}
	}
}

// csrFuzzSeeds returns the committed requests plus a few built here.
func csrFuzzSeeds(f *testing.F) [][]byte {
	files, err := filepath.Glob(filepath.Join(csrDir, "*"))
	if err != nil {
		f.Fatal(err)
	}
	var seeds [][]byte
	for _, p := range files {
		if strings.HasSuffix(p, ".der") || strings.HasSuffix(p, ".pem") {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, b)
		}
	}
	if len(seeds) == 0 {
		f.Fatal("no seeds in " + csrDir)
	}
	return seeds
}

func FuzzParseCertificateRequest(f *testing.F) {
	for _, s := range csrFuzzSeeds(f) {
		f.Add(s)
	}
	key := csrKey(f, "tc26-256-A")
	subj := csrEmployeeSubject()
	der, err := CreateCertificateRequest(rand.Reader, key, &subj, csrQualifiedExts(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(der)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: pemTypeCSRNew, Bytes: der}))
	f.Add([]byte{})
	f.Add([]byte{0x30, 0x80, 0x00, 0x00})
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseCertificateRequest(data)
		csrCheckResult(t, data, r, err)
	})
}

// csrFuzzKey is a fixed tc26-256-A key, so that a fuzzed
// CertificationRequestInfo holding its public key can be signed.
func csrFuzzKey(f *testing.F) *gost3410.PrivateKey {
	c, _ := gost3410.CurveByName("tc26-256-A")
	d := make([]byte, c.Size)
	for i := range d {
		d[i] = byte(i + 1)
	}
	k, err := gost3410.NewPrivateKey(c, d)
	if err != nil {
		f.Fatal(err)
	}
	return k
}

// FuzzCertificateRequestInfo fuzzes the signed part itself: each input is
// a CertificationRequestInfo, signed here with csrFuzzKey, so mutations
// of the attributes and extensions reach the parsers behind the
// signature check instead of all failing it.
func FuzzCertificateRequestInfo(f *testing.F) {
	key := csrFuzzKey(f)
	employee := csrEmployeeSubject()
	for _, subj := range []*Subject{nil, {CommonName: "x"}, &employee} {
		for _, exts := range [][]Extension{nil, csrQualifiedExts(f)} {
			der, err := CreateCertificateRequest(rand.Reader, key, subj, exts)
			if err != nil {
				f.Fatal(err)
			}
			s, err := parseSigned(der, csrWhat)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(s.TBS)
		}
	}
	p := csrDefaultParts(f, key)
	p.attrs = [][]byte{
		csrAttr(OIDPKCS9ChallengePassword, []byte{0x0C, 1, 'x'}),
		csrExtReq(Extension{ID: OIDExtKeyUsage, Critical: true, Value: []byte{3, 2, 7, 0x80}}),
	}
	f.Add(p.tbs())

	f.Fuzz(func(t *testing.T, tbs []byte) {
		if !isOneElement(tbs) {
			return
		}
		sig, err := Sign(rand.Reader, key, GOST256, tbs)
		if err != nil {
			t.Fatal(err)
		}
		der, err := AssembleSigned(tbs, GOST256, sig)
		if err != nil {
			return // too large for cryptobyte's length prefixes, say
		}
		r, err := ParseCertificateRequest(der)
		csrCheckResult(t, der, r, err)
		if err == nil && !bytes.Equal(r.RawTBS, tbs) {
			t.Fatal("RawTBS differs from what was signed")
		}
	})
}
