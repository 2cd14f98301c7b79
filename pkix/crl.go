package pkix

import (
	"bytes"
	"crypto"
	"hash"
	"io"
	"iter"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CRLTemplate describes a v2 CRL (RFC 5280 §5) to build with CreateCRL or
// a CRLBuilder.
type CRLTemplate struct {
	// Issuer is the DER subject Name of the CA certificate, written as is
	// (never re-encoded, so that it matches the certificates' issuer).
	Issuer []byte
	// AuthorityKeyID is the CA's subjectKeyIdentifier (RFC 5280 requires
	// authorityKeyIdentifier in every CRL).
	AuthorityKeyID []byte
	// Number is the cRLNumber: non-negative, at most 20 octets, increasing
	// over the CA's full and delta CRLs.
	Number *big.Int
	// ThisUpdate and NextUpdate bound the CRL's validity; both required,
	// NextUpdate after ThisUpdate. Encoded with seconds precision.
	ThisUpdate, NextUpdate time.Time
	// DeltaOf makes this a delta CRL against the full CRL with that number
	// (deltaCRLIndicator, critical); it must be below Number.
	DeltaOf *big.Int
	// FreshestCRL lists where the delta CRLs for this full CRL are
	// published (freshestCRL extension). Not allowed in a delta CRL.
	FreshestCRL []string
	// IssuingDistributionPoint scopes a partitioned CRL (critical).
	IssuingDistributionPoint *IssuingDistributionPoint
	// SignatureAlgorithm signs the CRL. CreateCRL fills it from the key
	// when zero; a CRLBuilder requires it.
	SignatureAlgorithm SignatureAlgorithm
}

// RevokedEntry is one revokedCertificates entry.
type RevokedEntry struct {
	// Serial is the big-endian magnitude of the (positive) serial number;
	// leading zero octets are ignored. Encoded, it may take at most 20
	// octets. The builder does not keep it past the yield.
	Serial []byte
	// RevokedAt is the revocationDate: not after the CRL's ThisUpdate.
	RevokedAt time.Time
	// Reason becomes the reasonCode entry extension; ReasonUnspecified
	// leaves the extension out, as RFC 5280 §5.3.1 advises.
	// ReasonRemoveFromCRL only in delta CRLs.
	Reason CRLReason
	// InvalidityDate, if not zero, becomes the invalidityDate entry
	// extension (GeneralizedTime): when the key was known or suspected
	// compromised. Not after the CRL's ThisUpdate.
	InvalidityDate time.Time
}

// crlLayout is the fixed part of a CRL, validated and encoded once; only
// the entries are streamed between prefix and suffix.
type crlLayout struct {
	alg    SignatureAlgorithm
	delta  bool
	limit  time.Time        // one second past ThisUpdate: entry dates must be before
	prefix []byte           // version, signature, issuer, thisUpdate, nextUpdate
	suffix []byte           // [0] crlExtensions
	algID  []byte           // the outer signatureAlgorithm element
	sigLen int              // signature length if fixed (GOST), else 0
	newH   func() hash.Hash // the algorithm's hash
}

// newCRLLayout validates tmpl and encodes everything but the entries.
func newCRLLayout(tmpl *CRLTemplate) (*crlLayout, error) {
	const what = "CRL"
	if tmpl == nil {
		return nil, invalid(what, "nil template")
	}
	l := &crlLayout{
		alg:   tmpl.SignatureAlgorithm,
		delta: tmpl.DeltaOf != nil,
		limit: tmpl.ThisUpdate.Truncate(time.Second).Add(time.Second),
	}
	var err error
	if l.newH, l.sigLen, err = revDigestFor(l.alg); err != nil {
		return nil, wrapCtx(what, err)
	}
	if !isOneElement(tmpl.Issuer) || tmpl.Issuer[0] != byte(cbasn1.SEQUENCE) || len(tmpl.Issuer) <= 2 || len(tmpl.Issuer) > maxNameDER {
		return nil, invalid(what+": issuer", "not a non-empty DER Name")
	}
	switch {
	case tmpl.ThisUpdate.IsZero() || !revTimeYearOK(tmpl.ThisUpdate):
		return nil, invalid(what+": thisUpdate", "missing or outside years 0000..9999")
	case tmpl.NextUpdate.IsZero() || !revTimeYearOK(tmpl.NextUpdate):
		return nil, invalid(what+": nextUpdate", "missing or outside years 0000..9999")
	case !tmpl.NextUpdate.Truncate(time.Second).After(tmpl.ThisUpdate.Truncate(time.Second)):
		return nil, invalid(what+": nextUpdate", "not after thisUpdate")
	case l.delta && len(tmpl.FreshestCRL) > 0:
		return nil, invalid(what+": freshestCRL", "not allowed in a delta CRL")
	}
	exts, err := crlExtensions(tmpl)
	if err != nil {
		return nil, err
	}

	b := cryptobyte.NewBuilder(make([]byte, 0, 64+len(tmpl.Issuer)))
	b.AddASN1Int64(1) // v2
	addAlgorithmIdentifier(b, l.alg)
	b.AddBytes(tmpl.Issuer)
	b.AddBytes(revAppendTime(nil, tmpl.ThisUpdate, false))
	b.AddBytes(revAppendTime(nil, tmpl.NextUpdate, false))
	if l.prefix, err = finish(b, what); err != nil {
		return nil, err
	}
	l.suffix = appendHeader(make([]byte, 0, headerLen(len(exts))+len(exts)), cbasn1.Tag(0).ContextSpecific().Constructed(), len(exts))
	l.suffix = append(l.suffix, exts...)
	b = cryptobyte.NewBuilder(make([]byte, 0, 16))
	addAlgorithmIdentifier(b, l.alg)
	if l.algID, err = finish(b, what); err != nil {
		return nil, err
	}
	return l, nil
}

// crlExtensions encodes the crlExtensions SEQUENCE: authorityKeyIdentifier,
// cRLNumber, deltaCRLIndicator, issuingDistributionPoint, freshestCRL.
func crlExtensions(tmpl *CRLTemplate) ([]byte, error) {
	exts := make([]Extension, 0, 5)
	add := func(e Extension, err error) error {
		if err == nil {
			exts = append(exts, e)
		}
		return err
	}
	if err := add(MarshalAuthorityKeyID(tmpl.AuthorityKeyID)); err != nil {
		return nil, wrapCtx("CRL", err)
	}
	if err := add(MarshalCRLNumber(tmpl.Number)); err != nil {
		return nil, wrapCtx("CRL", err)
	}
	if tmpl.DeltaOf != nil {
		if err := add(MarshalDeltaCRLIndicator(tmpl.DeltaOf)); err != nil {
			return nil, wrapCtx("CRL", err)
		}
		if tmpl.DeltaOf.Cmp(tmpl.Number) >= 0 {
			return nil, invalid("CRL: deltaCRLIndicator", "base CRL number must be below the delta's cRLNumber")
		}
	}
	if tmpl.IssuingDistributionPoint != nil {
		if err := add(MarshalIssuingDistributionPoint(*tmpl.IssuingDistributionPoint)); err != nil {
			return nil, wrapCtx("CRL", err)
		}
	}
	if len(tmpl.FreshestCRL) > 0 {
		if err := add(MarshalFreshestCRL(tmpl.FreshestCRL)); err != nil {
			return nil, wrapCtx("CRL", err)
		}
	}
	return MarshalExtensions(exts)
}

// CreateCRL builds and signs a CRL in memory: a CRLBuilder over a slice.
// The signature is checked against key's public key before it is used.
func CreateCRL(rand io.Reader, key crypto.Signer, tmpl *CRLTemplate, entries []RevokedEntry) ([]byte, error) {
	if key == nil || tmpl == nil {
		return nil, invalid("CRL", "nil key or template")
	}
	want, err := SignatureAlgorithmFor(key.Public())
	if err != nil {
		return nil, wrapCtx("CRL", err)
	}
	t := *tmpl
	if t.SignatureAlgorithm == UnknownSignatureAlgorithm {
		t.SignatureAlgorithm = want
	} else if t.SignatureAlgorithm != want {
		return nil, errf("CRL: %w: %s with a key that signs %s", ErrInvalidValue, t.SignatureAlgorithm, want)
	}
	opts := t.SignatureAlgorithm.Hash()
	cb := CRLBuilder{
		Template: &t,
		Entries:  crlSliceEntries(entries),
		SignDigest: func(d []byte) ([]byte, error) {
			return key.Sign(rand, d, opts)
		},
		Verify: key.Public(),
	}
	var buf bytes.Buffer
	buf.Grow(512 + 64*len(entries))
	if _, err := cb.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// crlSliceEntries iterates a slice as a CRLBuilder entry source.
func crlSliceEntries(s []RevokedEntry) iter.Seq2[RevokedEntry, error] {
	return func(yield func(RevokedEntry, error) bool) {
		for _, e := range s {
			if !yield(e, nil) {
				return
			}
		}
	}
}
