package pkix

import (
	"bytes"
	"crypto/rand"
	"errors"
	"math/big"
	"testing"
	"time"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// crlTLV encodes one DER element from its tag and contents.
func crlTLV(tag cbasn1.Tag, parts ...[]byte) []byte {
	c := bytes.Join(parts, nil)
	return append(appendHeader(nil, tag, len(c)), c...)
}

func crlExtDER(oid []int, critical bool, value []byte) []byte {
	var crit []byte
	if critical {
		crit = []byte{0x01, 0x01, 0xFF}
	}
	return crlTLV(cbasn1.SEQUENCE, appendOID(nil, oid), crit, crlTLV(cbasn1.OCTET_STRING, value))
}

// crlParts is a CRL spelled out element by element, to break one at a time.
type crlParts struct {
	version, alg, issuer, this, next []byte
	entries                          [][]byte // nil: no revokedCertificates
	exts                             [][]byte // nil: no crlExtensions
	tail                             []byte   // after crlExtensions, inside the TBS
	outerAlg                         []byte
}

var (
	crlIntOne   = []byte{0x02, 0x01, 0x01}
	crlAlgGOST  = crlTLV(cbasn1.SEQUENCE, appendOID(nil, OIDSignatureGost2012_256))
	crlReason1  = crlExtDER(OIDExtReasonCode, false, []byte{0x0A, 0x01, 0x01})
	crlSerialOK = []byte{0x02, 0x01, 0x05}
)

func crlEntryDER(serial []byte, exts ...[]byte) []byte {
	t := revAppendTime(nil, crlNow, false)
	if exts == nil {
		return crlTLV(cbasn1.SEQUENCE, serial, t)
	}
	return crlTLV(cbasn1.SEQUENCE, serial, t, crlTLV(cbasn1.SEQUENCE, exts...))
}

func crlDefaultParts(t testing.TB) crlParts {
	num, _ := MarshalCRLNumber(big.NewInt(7))
	return crlParts{
		version: crlIntOne, alg: crlAlgGOST, issuer: crlIssuer(t),
		this: revAppendTime(nil, crlNow, false), next: revAppendTime(nil, crlNow.Add(time.Hour), false),
		entries:  [][]byte{crlEntryDER(crlSerialOK, crlReason1)},
		exts:     [][]byte{crlExtDER(OIDExtCRLNumber, false, num.Value)},
		outerAlg: crlAlgGOST,
	}
}

func (p crlParts) der() []byte {
	tbs := [][]byte{p.version, p.alg, p.issuer, p.this, p.next}
	if p.entries != nil {
		tbs = append(tbs, crlTLV(cbasn1.SEQUENCE, p.entries...))
	}
	if p.exts != nil {
		tbs = append(tbs, crlTLV(cbasn1.Tag(0).ContextSpecific().Constructed(), crlTLV(cbasn1.SEQUENCE, p.exts...)))
	}
	tbs = append(tbs, p.tail)
	return crlTLV(cbasn1.SEQUENCE, crlTLV(cbasn1.SEQUENCE, tbs...), p.outerAlg, crlTLV(cbasn1.BIT_STRING, []byte{0}, make([]byte, 64)))
}

func TestParseCRLBad(t *testing.T) {
	if _, err := ParseCRL(crlDefaultParts(t).der()); err != nil {
		t.Fatalf("baseline: %v", err)
	}
	key := crlKey(t, "tc26-256-A")
	good, err := CreateCRL(rand.Reader, key, crlTemplate(t), crlEntries())
	if err != nil {
		t.Fatal(err)
	}
	idpBoth := crlTLV(cbasn1.SEQUENCE, []byte{0x81, 0x01, 0xFF, 0x82, 0x01, 0xFF})
	tests := []struct {
		name string
		mod  func(*crlParts)
		der  []byte
		want error
	}{
		{"empty", nil, []byte{}, ErrMalformed},
		{"truncated", nil, good[:len(good)-1], ErrMalformed},
		{"truncated header", nil, good[:3], ErrMalformed},
		{"trailing", nil, append(bytes.Clone(good), 0), ErrTrailingData},
		{"SET outside", nil, append([]byte{0x31}, good[1:]...), ErrMalformed},
		{"indefinite length", nil, []byte{0x30, 0x80, 0, 0}, ErrMalformed},
		{"too large", nil, make([]byte, MaxCRLSize+1), ErrTooLarge},
		{"version 3", func(p *crlParts) { p.version = []byte{0x02, 0x01, 0x02} }, nil, ErrUnsupported},
		{"v1 with extensions", func(p *crlParts) { p.version = nil }, nil, ErrMalformed},
		{"v1 with entry extensions", func(p *crlParts) { p.version, p.exts = nil, nil }, nil, ErrMalformed},
		{"inner and outer algorithms differ", func(p *crlParts) {
			p.outerAlg = crlTLV(cbasn1.SEQUENCE, appendOID(nil, OIDSignatureGost2012_512))
		}, nil, ErrMalformed},
		{"unknown algorithm", func(p *crlParts) {
			p.alg = crlTLV(cbasn1.SEQUENCE, appendOID(nil, []int{1, 2, 840, 113549, 1, 1, 11}))
			p.outerAlg = p.alg
		}, nil, ErrUnsupported},
		{"empty issuer", func(p *crlParts) { p.issuer = []byte{0x30, 0} }, nil, ErrMalformed},
		{"bad thisUpdate", func(p *crlParts) { p.this = crlTLV(cbasn1.UTCTime, []byte("2605041230Z")) }, nil, ErrMalformed},
		{"February 30", func(p *crlParts) { p.next = crlTLV(cbasn1.UTCTime, []byte("260230000000Z")) }, nil, ErrMalformed},
		{"trailing in TBS", func(p *crlParts) { p.tail = []byte{0x05, 0x00} }, nil, ErrTrailingData},
		{"entry: negative serial", func(p *crlParts) { p.entries[0] = crlEntryDER([]byte{0x02, 0x01, 0x80}) }, nil, ErrUnsupported},
		{"entry: zero serial", func(p *crlParts) { p.entries[0] = crlEntryDER([]byte{0x02, 0x01, 0x00}) }, nil, ErrUnsupported},
		{"entry: non-minimal serial", func(p *crlParts) { p.entries[0] = crlEntryDER([]byte{0x02, 0x02, 0x00, 0x01}) }, nil, ErrMalformed},
		{"entry: huge serial", func(p *crlParts) {
			p.entries[0] = crlEntryDER(crlTLV(cbasn1.INTEGER, bytes.Repeat([]byte{0x11}, 21)))
		}, nil, ErrTooLarge},
		{"entry: not a SEQUENCE", func(p *crlParts) { p.entries[0] = crlTLV(cbasn1.SET) }, nil, ErrMalformed},
		{"entry: no date", func(p *crlParts) { p.entries[0] = crlTLV(cbasn1.SEQUENCE, crlSerialOK) }, nil, ErrMalformed},
		{"entry: empty extensions", func(p *crlParts) { p.entries[0] = crlEntryDER(crlSerialOK, []byte{}) }, nil, ErrMalformed},
		{"entry: reason 7", func(p *crlParts) {
			p.entries[0] = crlEntryDER(crlSerialOK, crlExtDER(OIDExtReasonCode, false, []byte{0x0A, 0x01, 0x07}))
		}, nil, ErrMalformed},
		{"entry: reason as INTEGER", func(p *crlParts) {
			p.entries[0] = crlEntryDER(crlSerialOK, crlExtDER(OIDExtReasonCode, false, []byte{0x02, 0x01, 0x01}))
		}, nil, ErrMalformed},
		{"entry: removeFromCRL in a full CRL", func(p *crlParts) {
			p.entries[0] = crlEntryDER(crlSerialOK, crlExtDER(OIDExtReasonCode, false, []byte{0x0A, 0x01, 0x08}))
		}, nil, ErrMalformed},
		{"entry: duplicate reason", func(p *crlParts) { p.entries[0] = crlEntryDER(crlSerialOK, crlReason1, crlReason1) }, nil, ErrDuplicate},
		{"entry: critical FALSE", func(p *crlParts) {
			p.entries[0] = crlEntryDER(crlSerialOK, crlTLV(cbasn1.SEQUENCE, appendOID(nil, OIDExtReasonCode),
				[]byte{0x01, 0x01, 0x00}, crlTLV(cbasn1.OCTET_STRING, []byte{0x0A, 0x01, 0x01})))
		}, nil, ErrMalformed},
		{"entry: unknown critical extension", func(p *crlParts) {
			p.entries[0] = crlEntryDER(crlSerialOK, crlExtDER([]int{1, 2, 3, 4}, true, []byte{0x05, 0x00}))
		}, nil, ErrUnsupported},
		{"entry: certificateIssuer", func(p *crlParts) {
			p.entries[0] = crlEntryDER(crlSerialOK, crlExtDER(OIDExtCertificateIssuer, true, []byte{0x30, 0x00}))
		}, nil, ErrUnsupported},
		{"entry: invalidityDate as UTCTime", func(p *crlParts) {
			p.entries[0] = crlEntryDER(crlSerialOK, crlExtDER(OIDExtInvalidityDate, false, revAppendTime(nil, crlNow, false)))
		}, nil, ErrMalformed},
		{"unknown critical CRL extension", func(p *crlParts) {
			p.exts = append(p.exts, crlExtDER([]int{1, 2, 3, 4}, true, []byte{0x05, 0x00}))
		}, nil, ErrUnsupported},
		{"duplicate CRL extension", func(p *crlParts) { p.exts = append(p.exts, p.exts[0]) }, nil, ErrDuplicate},
		{"empty crlExtensions", func(p *crlParts) { p.exts = [][]byte{} }, nil, ErrMalformed},
		{"negative CRL number", func(p *crlParts) {
			p.exts[0] = crlExtDER(OIDExtCRLNumber, false, []byte{0x02, 0x01, 0xFF})
		}, nil, ErrMalformed},
		{"huge CRL number", func(p *crlParts) {
			p.exts[0] = crlExtDER(OIDExtCRLNumber, false, crlTLV(cbasn1.INTEGER, bytes.Repeat([]byte{0x11}, 21)))
		}, nil, ErrTooLarge},
		{"non-critical delta indicator", func(p *crlParts) {
			p.exts = append(p.exts, crlExtDER(OIDExtDeltaCRLIndicator, false, []byte{0x02, 0x01, 0x01}))
		}, nil, ErrMalformed},
		{"non-critical IDP", func(p *crlParts) {
			p.exts = append(p.exts, crlExtDER(OIDExtIssuingDistributionPoint, false, idpBoth))
		}, nil, ErrMalformed},
		{"IDP user and CA", func(p *crlParts) {
			p.exts = append(p.exts, crlExtDER(OIDExtIssuingDistributionPoint, true, idpBoth))
		}, nil, ErrMalformed},
		{"IDP empty", func(p *crlParts) {
			p.exts = append(p.exts, crlExtDER(OIDExtIssuingDistributionPoint, true, []byte{0x30, 0x00}))
		}, nil, ErrMalformed},
		{"IDP explicit FALSE", func(p *crlParts) {
			p.exts = append(p.exts, crlExtDER(OIDExtIssuingDistributionPoint, true, []byte{0x30, 0x03, 0x81, 0x01, 0x00}))
		}, nil, ErrMalformed},
		{"IDP reasons not minimal", func(p *crlParts) {
			p.exts = append(p.exts, crlExtDER(OIDExtIssuingDistributionPoint, true, []byte{0x30, 0x05, 0x83, 0x03, 0x00, 0x40, 0x00}))
		}, nil, ErrMalformed},
		{"freshestCRL in a delta", func(p *crlParts) {
			fresh, _ := MarshalFreshestCRL([]string{"http://x.ru/d.crl"})
			p.exts = append(p.exts, crlExtDER(OIDExtDeltaCRLIndicator, true, []byte{0x02, 0x01, 0x01}),
				crlExtDER(OIDExtFreshestCRL, false, fresh.Value))
		}, nil, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der := tt.der
			if tt.mod != nil {
				p := crlDefaultParts(t)
				tt.mod(&p)
				der = p.der()
			}
			_, err := ParseCRL(der)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}
