package pkix

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"io"
	"iter"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/gost/gost3410"
)

// Test helpers of the CRL and OCSP tests carry a crl/ocsp prefix: other
// files of the package are written concurrently.

var crlNow = time.Date(2026, 5, 4, 12, 30, 45, 0, time.UTC)

func crlKey(t testing.TB, curve string) crypto.Signer {
	t.Helper()
	if curve == "P-256" {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	c, ok := gost3410.CurveByName(curve)
	if !ok {
		t.Fatalf("no curve %s", curve)
	}
	k, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func crlIssuer(t testing.TB) []byte {
	t.Helper()
	der, err := (&Name{Attrs: []Attribute{
		{Type: OIDCountry, Tag: TagPrintableString, Value: "RU"},
		{Type: OIDOrganization, Tag: TagUTF8String, Value: "ООО «Тест»"},
		{Type: OIDCommonName, Tag: TagUTF8String, Value: "Test CA"},
	}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func crlTemplate(t testing.TB) *CRLTemplate {
	return &CRLTemplate{
		Issuer:         crlIssuer(t),
		AuthorityKeyID: bytes.Repeat([]byte{0xA5}, 20),
		Number:         big.NewInt(42),
		ThisUpdate:     crlNow,
		NextUpdate:     crlNow.Add(7 * 24 * time.Hour),
	}
}

func crlSerial(s string) []byte {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic(s)
	}
	return n.Bytes()
}

// crlEntries covers every entry shape: no extension, reason only,
// invalidity date only, both, serial with the high bit set (sign octet),
// the longest serial, a GeneralizedTime revocation date.
func crlEntries() []RevokedEntry {
	return []RevokedEntry{
		{Serial: crlSerial("01"), RevokedAt: crlNow.Add(-time.Hour)},
		{Serial: crlSerial("7f01020304050607"), RevokedAt: crlNow.Add(-2 * time.Hour), Reason: ReasonKeyCompromise,
			InvalidityDate: crlNow.Add(-48 * time.Hour)},
		{Serial: crlSerial("80ff"), RevokedAt: crlNow.Add(-3 * time.Hour), Reason: ReasonCertificateHold},
		{Serial: crlSerial("7fffffffffffffffffffffffffffffffffffffff"), RevokedAt: crlNow, Reason: ReasonSuperseded},
		{Serial: crlSerial("ffffffffffffffffffffffffffffffffffffff"), RevokedAt: crlNow.Add(-time.Minute),
			InvalidityDate: time.Date(2051, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(-100, 0, 0)},
		{Serial: crlSerial("1234"), RevokedAt: time.Date(1949, 12, 31, 23, 59, 59, 0, time.UTC), Reason: ReasonCessationOfOperation},
		{Serial: crlSerial("1235"), RevokedAt: crlNow.Add(-time.Second), Reason: ReasonAffiliationChanged},
		{Serial: crlSerial("1236"), RevokedAt: crlNow.Add(-time.Second), Reason: ReasonCACompromise},
		{Serial: crlSerial("1237"), RevokedAt: crlNow.Add(-time.Second), Reason: ReasonPrivilegeWithdrawn},
	}
}

// crlWantEntries is what parsing gives back for entries: canonical
// serials and UTC times with seconds.
func crlWantEntries(in []RevokedEntry) []RevokedEntry {
	out := make([]RevokedEntry, len(in))
	for i, e := range in {
		e.Serial = bytes.TrimLeft(e.Serial, "\x00")
		e.RevokedAt = e.RevokedAt.UTC().Truncate(time.Second)
		if !e.InvalidityDate.IsZero() {
			e.InvalidityDate = e.InvalidityDate.UTC().Truncate(time.Second)
		}
		out[i] = e
	}
	return out
}

func TestCRLRoundTrip(t *testing.T) {
	for _, curve := range []string{"tc26-256-A", "tc26-512-A", "P-256"} {
		t.Run(curve, func(t *testing.T) {
			key := crlKey(t, curve)
			tmpl := crlTemplate(t)
			tmpl.FreshestCRL = []string{"http://crl.example.ru/delta.crl", "ldap://ldap.example.ru/cn=delta"}
			tmpl.IssuingDistributionPoint = &IssuingDistributionPoint{
				URIs: []string{"http://crl.example.ru/ca-1.crl"}, OnlyUser: true,
				OnlySomeReasons: ReasonFlagKeyCompromise | ReasonFlagAACompromise,
			}
			entries := crlEntries()
			der, err := CreateCRL(rand.Reader, key, tmpl, entries)
			if err != nil {
				t.Fatal(err)
			}
			c, err := ParseCRL(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.CheckSignatureFrom(key.Public()); err != nil {
				t.Fatal(err)
			}
			wantAlg, _ := SignatureAlgorithmFor(key.Public())
			if c.Version != 2 || c.SignatureAlgorithm != wantAlg || !bytes.Equal(c.Issuer, tmpl.Issuer) ||
				!c.ThisUpdate.Equal(tmpl.ThisUpdate) || !c.NextUpdate.Equal(tmpl.NextUpdate) ||
				c.Number.Cmp(tmpl.Number) != 0 || c.DeltaOf != nil ||
				!bytes.Equal(c.AuthorityKeyID, tmpl.AuthorityKeyID) ||
				!reflect.DeepEqual(c.FreshestCRL, tmpl.FreshestCRL) ||
				!reflect.DeepEqual(c.IssuingDistributionPoint, tmpl.IssuingDistributionPoint) {
				t.Errorf("parsed CRL differs: %+v", c)
			}
			if got, want := c.Entries, crlWantEntries(entries); !reflect.DeepEqual(got, want) {
				t.Errorf("entries:\n got %+v\nwant %+v", got, want)
			}
			if len(c.Extensions) != 4 {
				t.Errorf("%d extensions, want 4", len(c.Extensions))
			}
			// Tampering breaks the signature.
			bad := bytes.Clone(der)
			bad[bytes.Index(bad, []byte("Test CA"))] ^= 1
			if c2, err := ParseCRL(bad); err != nil {
				t.Fatal(err)
			} else if err := c2.CheckSignatureFrom(key.Public()); !errors.Is(err, ErrBadSignature) {
				t.Errorf("tampered CRL: %v", err)
			}
		})
	}
}

func TestCRLDelta(t *testing.T) {
	key := crlKey(t, "tc26-256-A")
	tmpl := crlTemplate(t)
	tmpl.DeltaOf = big.NewInt(41)
	entries := []RevokedEntry{
		{Serial: crlSerial("0a"), RevokedAt: crlNow.Add(-time.Hour), Reason: ReasonRemoveFromCRL},
		{Serial: crlSerial("0b"), RevokedAt: crlNow.Add(-time.Hour), Reason: ReasonCertificateHold},
	}
	der, err := CreateCRL(rand.Reader, key, tmpl, entries)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	if c.DeltaOf == nil || c.DeltaOf.Int64() != 41 || c.Entries[0].Reason != ReasonRemoveFromCRL {
		t.Errorf("delta CRL: %+v", c)
	}
	e, _ := FindExtension(c.Extensions, OIDExtDeltaCRLIndicator)
	if !e.Critical {
		t.Error("deltaCRLIndicator not critical")
	}
}

func TestCRLNoEntries(t *testing.T) {
	key := crlKey(t, "tc26-256-A")
	der, err := CreateCRL(rand.Reader, key, crlTemplate(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) != 0 {
		t.Fatal("entries in an empty CRL")
	}
	// RFC 5280: no revokedCertificates field at all, so [0] follows
	// nextUpdate directly.
	tbs := c.RawTBS
	if i := bytes.Index(tbs, c.Issuer); i < 0 || tbs[i+len(c.Issuer)+30] != 0xA0 {
		t.Errorf("empty revokedCertificates not omitted: %x", tbs)
	}
}

func TestCRLValidation(t *testing.T) {
	key := crlKey(t, "tc26-256-A")
	ok := RevokedEntry{Serial: []byte{1}, RevokedAt: crlNow}
	tests := []struct {
		name  string
		tmpl  func(*CRLTemplate)
		entry func(*RevokedEntry)
		want  string
	}{
		{"issuer missing", func(c *CRLTemplate) { c.Issuer = nil }, nil, "issuer"},
		{"issuer empty name", func(c *CRLTemplate) { c.Issuer = []byte{0x30, 0} }, nil, "issuer"},
		{"issuer trailing", func(c *CRLTemplate) { c.Issuer = append(crlIssuer(t), 0) }, nil, "issuer"},
		{"no AKI", func(c *CRLTemplate) { c.AuthorityKeyID = nil }, nil, "authorityKeyIdentifier"},
		{"no number", func(c *CRLTemplate) { c.Number = nil }, nil, "cRLNumber"},
		{"negative number", func(c *CRLTemplate) { c.Number = big.NewInt(-1) }, nil, "negative"},
		{"number 21 octets", func(c *CRLTemplate) { c.Number = new(big.Int).Lsh(big.NewInt(1), 159) }, nil, "20 octets"},
		{"no thisUpdate", func(c *CRLTemplate) { c.ThisUpdate = time.Time{} }, nil, "thisUpdate"},
		{"no nextUpdate", func(c *CRLTemplate) { c.NextUpdate = time.Time{} }, nil, "nextUpdate"},
		{"nextUpdate = thisUpdate", func(c *CRLTemplate) { c.NextUpdate = c.ThisUpdate.Add(time.Millisecond) }, nil, "not after thisUpdate"},
		{"year 10000", func(c *CRLTemplate) { c.NextUpdate = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, nil, "nextUpdate"},
		{"delta of itself", func(c *CRLTemplate) { c.DeltaOf = c.Number }, nil, "below"},
		{"delta with freshest", func(c *CRLTemplate) { c.DeltaOf = big.NewInt(1); c.FreshestCRL = []string{"http://x.ru/d.crl"} }, nil, "freshestCRL"},
		{"bad freshest URI", func(c *CRLTemplate) { c.FreshestCRL = []string{"not a uri"} }, nil, "freshestCRL"},
		{"IDP empty", func(c *CRLTemplate) { c.IssuingDistributionPoint = &IssuingDistributionPoint{} }, nil, "empty"},
		{"IDP user and CA", func(c *CRLTemplate) {
			c.IssuingDistributionPoint = &IssuingDistributionPoint{OnlyUser: true, OnlyCA: true}
		}, nil, "together"},
		{"IDP indirect", func(c *CRLTemplate) {
			c.IssuingDistributionPoint = &IssuingDistributionPoint{URIs: []string{"http://x.ru/a.crl"}, Indirect: true}
		}, nil, "indirect"},
		{"IDP reason bit 0", func(c *CRLTemplate) {
			c.IssuingDistributionPoint = &IssuingDistributionPoint{OnlySomeReasons: 1}
		}, nil, "reason flags"},
		{"reason 7", nil, func(e *RevokedEntry) { e.Reason = 7 }, "0..10 except 7"},
		{"reason 11", nil, func(e *RevokedEntry) { e.Reason = 11 }, "0..10 except 7"},
		{"reason negative", nil, func(e *RevokedEntry) { e.Reason = -1 }, "0..10 except 7"},
		{"removeFromCRL in full CRL", nil, func(e *RevokedEntry) { e.Reason = ReasonRemoveFromCRL }, "only allowed in a delta"},
		{"serial zero", nil, func(e *RevokedEntry) { e.Serial = []byte{0, 0} }, "positive"},
		{"serial empty", nil, func(e *RevokedEntry) { e.Serial = nil }, "positive"},
		{"serial 21 octets", nil, func(e *RevokedEntry) { e.Serial = bytes.Repeat([]byte{0x80}, 20) }, "20"},
		{"no revocationDate", nil, func(e *RevokedEntry) { e.RevokedAt = time.Time{} }, "revocationDate missing"},
		{"revoked after thisUpdate", nil, func(e *RevokedEntry) { e.RevokedAt = crlNow.Add(time.Second) }, "after the CRL's thisUpdate"},
		{"invalidity after thisUpdate", nil, func(e *RevokedEntry) { e.InvalidityDate = crlNow.Add(time.Hour) }, "invalidityDate"},
		{"revoked before year 0", nil, func(e *RevokedEntry) { e.RevokedAt = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) }, "year 0000"},
		{"unknown algorithm", func(c *CRLTemplate) { c.SignatureAlgorithm = 99 }, nil, "signs"},
		{"wrong algorithm", func(c *CRLTemplate) { c.SignatureAlgorithm = GOST512 }, nil, "signs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := crlTemplate(t)
			e := ok
			if tt.tmpl != nil {
				tt.tmpl(tmpl)
			}
			if tt.entry != nil {
				tt.entry(&e)
			}
			_, err := CreateCRL(rand.Reader, key, tmpl, []RevokedEntry{ok, e})
			if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrInvalidValue mentioning %q", err, tt.want)
			}
			if tt.entry != nil && !strings.Contains(err.Error(), "entry 2 (serial") {
				t.Errorf("error does not name the entry: %v", err)
			}
		})
	}
}

// crlSeq is an entry source that counts how often it was run.
type crlSeq struct {
	entries []RevokedEntry
	runs    int
	// mutate, if set, returns the entries of run n (from 1).
	mutate func(run int, e []RevokedEntry) []RevokedEntry
	fail   error
}

func (s *crlSeq) seq() iter.Seq2[RevokedEntry, error] {
	return func(yield func(RevokedEntry, error) bool) {
		s.runs++
		es := s.entries
		if s.mutate != nil {
			es = s.mutate(s.runs, es)
		}
		for _, e := range es {
			if !yield(e, nil) {
				return
			}
		}
		if s.fail != nil {
			yield(RevokedEntry{}, s.fail)
		}
	}
}

func crlSigner(key crypto.Signer) SignDigestFunc {
	alg, _ := SignatureAlgorithmFor(key.Public())
	return func(d []byte) ([]byte, error) { return key.Sign(rand.Reader, d, alg.Hash()) }
}

// TestCRLBuilderPasses checks the streaming builder against CreateCRL and
// the number of passes: two for GOST, three for ECDSA.
func TestCRLBuilderPasses(t *testing.T) {
	for _, tc := range []struct {
		curve string
		runs  int
	}{{"tc26-256-A", 2}, {"tc26-512-A", 2}, {"P-256", 3}} {
		t.Run(tc.curve, func(t *testing.T) {
			key := crlKey(t, tc.curve)
			tmpl := crlTemplate(t)
			tmpl.SignatureAlgorithm, _ = SignatureAlgorithmFor(key.Public())
			src := &crlSeq{entries: crlEntries()}
			var buf bytes.Buffer
			cb := &CRLBuilder{Template: tmpl, Entries: src.seq(), SignDigest: crlSigner(key), Verify: key.Public()}
			n, err := cb.WriteTo(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(buf.Len()) || src.runs != tc.runs {
				t.Errorf("n=%d len=%d runs=%d", n, buf.Len(), src.runs)
			}
			c, err := ParseCRL(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if err := c.CheckSignatureFrom(key.Public()); err != nil {
				t.Fatal(err)
			}
			ref, err := CreateCRL(rand.Reader, key, tmpl, crlEntries())
			if err != nil {
				t.Fatal(err)
			}
			rc, err := ParseCRL(ref)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rc.RawTBS, c.RawTBS) {
				t.Error("streamed TBSCertList differs from CreateCRL's")
			}
		})
	}
}

func TestCRLBuilderErrors(t *testing.T) {
	gost := crlKey(t, "tc26-256-A")
	ec := crlKey(t, "P-256")
	other := crlKey(t, "tc26-256-A")
	errSource := errors.New("store went away")
	errSign := errors.New("HSM unplugged")
	drop := func(run int, e []RevokedEntry) []RevokedEntry {
		if run > 1 {
			return e[1:]
		}
		return e
	}
	swap := func(run int, e []RevokedEntry) []RevokedEntry {
		if run == 3 {
			e = slices.Clone(e)
			e[1].Reason = ReasonCACompromise // was keyCompromise: same size, other bytes
		}
		return e
	}
	tests := []struct {
		name string
		key  crypto.Signer
		src  *crlSeq
		sign SignDigestFunc
		ver  crypto.PublicKey
		w    io.Writer
		want error
	}{
		{"source error", gost, &crlSeq{entries: crlEntries(), fail: errSource}, nil, nil, nil, errSource},
		{"entries dropped", gost, &crlSeq{entries: crlEntries(), mutate: drop}, nil, nil, nil, ErrInvalidValue},
		{"entries dropped ECDSA", ec, &crlSeq{entries: crlEntries(), mutate: drop}, nil, nil, nil, ErrInvalidValue},
		{"same size, other bytes, ECDSA", ec, &crlSeq{entries: crlEntries(), mutate: swap}, nil, nil, nil, ErrInvalidValue},
		{"signer error", gost, &crlSeq{}, func([]byte) ([]byte, error) { return nil, errSign }, nil, nil, errSign},
		{"short signature", gost, &crlSeq{}, func([]byte) ([]byte, error) { return make([]byte, 63), nil }, nil, nil, ErrInvalidValue},
		{"ECDSA not DER", ec, &crlSeq{}, func([]byte) ([]byte, error) { return make([]byte, 70), nil }, nil, nil, ErrInvalidValue},
		{"wrong key", gost, &crlSeq{}, nil, other.Public(), nil, ErrBadSignature},
		{"writer error", gost, &crlSeq{entries: crlEntries()}, nil, nil, crlFailWriter{}, errWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := crlTemplate(t)
			tmpl.SignatureAlgorithm, _ = SignatureAlgorithmFor(tt.key.Public())
			sign := tt.sign
			if sign == nil {
				sign = crlSigner(tt.key)
			}
			w := tt.w
			if w == nil {
				w = io.Discard
			}
			cb := &CRLBuilder{Template: tmpl, Entries: tt.src.seq(), SignDigest: sign, Verify: tt.ver}
			if _, err := cb.WriteTo(w); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	cb := &CRLBuilder{Template: crlTemplate(t), SignDigest: crlSigner(gost)}
	if _, err := cb.WriteTo(io.Discard); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("no algorithm: %v", err)
	}
	cb.Template.SignatureAlgorithm, cb.SignDigest = GOST256, nil
	if _, err := cb.WriteTo(io.Discard); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("no signer: %v", err)
	}
}

var errWrite = errors.New("disk full")

type crlFailWriter struct{}

func (crlFailWriter) Write([]byte) (int, error) { return 0, errWrite }
