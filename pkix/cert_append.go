package pkix

import (
	"encoding/asn1"
	"math/big"
	"math/bits"
	"strconv"
	"time"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// One-pass TBSCertificate encoding. BuildTBSCertificate runs per issued
// certificate; writing every element straight into one buffer (a header
// slot reserved, the length patched in when the element closes) replaces
// the per-element builders and per-extension buffers of the general
// Marshal* functions. The DER is byte for byte what those functions and
// MarshalExtensions write (cert_append_test.go compares them over random
// templates); values are checked by the same rules and errors.

// hdrSlot is the room reserved for an element's tag and length: enough
// for 64 KiB of content (a TBS is at most MaxTBSSize); closeElem moves the
// content up when a header needs more.
const hdrSlot = 4

// openElem reserves the header slot of an element whose content follows;
// pass the returned start to closeElem.
func openElem(dst []byte) ([]byte, int) {
	return append(dst, 0, 0, 0, 0), len(dst)
}

// closeElem writes the tag and minimal length of the element opened at
// start and moves its content next to the header.
func closeElem(dst []byte, start int, tag cbasn1.Tag) []byte {
	n := len(dst) - start - hdrSlot
	hl := headerLen(n)
	if hl > hdrSlot {
		dst = append(dst, make([]byte, hl-hdrSlot)...)
	}
	copy(dst[start+hl:], dst[start+hdrSlot:start+hdrSlot+n])
	dst = dst[:start+hl+n]
	appendHeader(dst[start:start], tag, n)
	return dst
}

// appendExtension writes one Extension element (as MarshalExtensions
// does); the caller has checked e.ID encodes and e.Value is one element.
func appendExtension(dst []byte, e Extension) []byte {
	dst = appendHeader(dst, cbasn1.SEQUENCE, extContentLen(oidContentLen(e.ID), e))
	dst = appendOID(dst, e.ID)
	if e.Critical {
		dst = append(dst, byte(cbasn1.BOOLEAN), 1, 0xFF)
	}
	dst = appendHeader(dst, cbasn1.OCTET_STRING, len(e.Value))
	return append(dst, e.Value...)
}

// checkedExtension appends e after the checks MarshalExtensions makes of
// each entry (for extensions that come from a Marshal* function).
func checkedExtension(dst []byte, e Extension) ([]byte, error) {
	if !isOneElement(e.Value) {
		return nil, errf("extensions: %s: %w: value is not one DER element", extName(e.ID), ErrInvalidValue)
	}
	if oidContentLen(e.ID) < 0 {
		return nil, errf("extensions: %w: cannot encode OID %v", ErrInvalidValue, e.ID)
	}
	return appendExtension(dst, e), nil
}

// openExt starts an Extension element with its extnID and critical flag
// and opens extnValue's OCTET STRING; closeExt closes both.
func openExt(dst []byte, id []byte, critical bool) ([]byte, int, int) {
	dst, outer := openElem(dst)
	dst = append(dst, id...)
	if critical {
		dst = append(dst, byte(cbasn1.BOOLEAN), 1, 0xFF)
	}
	dst, inner := openElem(dst)
	return dst, outer, inner
}

func closeExt(dst []byte, outer, inner int) []byte {
	dst = closeElem(dst, inner, cbasn1.OCTET_STRING)
	return closeElem(dst, outer, cbasn1.SEQUENCE)
}

// The encoded extnIDs of the extensions written per certificate.
var (
	oidDERKeyUsage          = appendOID(nil, OIDExtKeyUsage)
	oidDERExtKeyUsage       = appendOID(nil, OIDExtExtKeyUsage)
	oidDERSubjectKeyID      = appendOID(nil, OIDExtSubjectKeyID)
	oidDERPrivateKeyUsage   = appendOID(nil, OIDExtPrivateKeyUsagePeriod)
	oidDERSubjectSignTool   = appendOID(nil, OIDExtSubjectSignTool)
	oidDERIdentificationKnd = appendOID(nil, OIDExtIdentificationKind)
	oidDERSubjectAltName    = appendOID(nil, OIDExtSubjectAltName)
)

// appendTime writes t as addTime does.
func appendTime(dst []byte, t time.Time) ([]byte, error) {
	t = t.UTC()
	if y := t.Year(); y >= 1950 && y < 2050 {
		var buf [13]byte
		appendDigits(buf[:0], y%100, 2)
		fillClock(buf[2:], t)
		dst = appendHeader(dst, cbasn1.UTCTime, len(buf))
		return append(dst, buf[:]...), nil
	}
	return appendGeneralizedTime(dst, t, cbasn1.GeneralizedTime)
}

// appendGeneralizedTime writes t as addGeneralizedTime does.
func appendGeneralizedTime(dst []byte, t time.Time, tag cbasn1.Tag) ([]byte, error) {
	t = t.UTC()
	y := t.Year()
	if y < 0 || y > 9999 {
		return nil, errTimeRange
	}
	var buf [15]byte
	appendDigits(buf[:0], y, 4)
	fillClock(buf[4:], t)
	dst = appendHeader(dst, tag, len(buf))
	return append(dst, buf[:]...), nil
}

// appendBigInt writes n as an INTEGER, as cryptobyte's AddASN1BigInt
// does (two's complement, minimal); serials fit the stack buffer.
func appendBigInt(dst []byte, n *big.Int) []byte {
	if n.Sign() < 0 {
		// Negative: as cryptobyte writes it (lints refuse it later).
		nMinus1 := new(big.Int).Neg(n)
		nMinus1.Sub(nMinus1, big.NewInt(1))
		b := nMinus1.Bytes()
		for i := range b {
			b[i] ^= 0xff
		}
		if len(b) == 0 || b[0]&0x80 == 0 {
			dst = appendHeader(dst, cbasn1.INTEGER, len(b)+1)
			dst = append(dst, 0xff)
		} else {
			dst = appendHeader(dst, cbasn1.INTEGER, len(b))
		}
		return append(dst, b...)
	}
	var buf [64]byte
	var b []byte
	if l := (n.BitLen() + 7) / 8; l <= len(buf) {
		b = n.FillBytes(buf[:l])
	} else {
		b = n.Bytes()
	}
	if len(b) == 0 || b[0]&0x80 != 0 {
		dst = appendHeader(dst, cbasn1.INTEGER, len(b)+1)
		dst = append(dst, 0)
	} else {
		dst = appendHeader(dst, cbasn1.INTEGER, len(b))
	}
	return append(dst, b...)
}

// appendCertExtensions writes the certificate's extensions, in the order
// and with the checks of buildCertExtensions, as the SEQUENCE OF
// Extension that MarshalExtensions would make of them.
func appendCertExtensions(dst []byte, tmpl *CertificateTemplate, iss *Issuer, ski, aki []byte, notAfter time.Time) ([]byte, error) {
	p := tmpl.Profile
	dst, seq := openElem(dst)
	var err error
	if p.CA {
		e, err := MarshalBasicConstraints(true, p.MaxPathLen)
		if err != nil {
			return nil, err
		}
		if dst, err = checkedExtension(dst, e); err != nil {
			return nil, err
		}
	}
	if dst, err = appendKeyUsageExt(dst, p.KeyUsage); err != nil {
		return nil, err
	}
	eku, err := extKeyUsageFor(p, tmpl.RequestedExtKeyUsage)
	if err != nil {
		return nil, err
	}
	if len(eku) > 0 {
		if dst, err = appendExtKeyUsageExt(dst, eku); err != nil {
			return nil, err
		}
	}
	if len(ski) == 0 || len(ski) > maxKeyID {
		return nil, invalid("subjectKeyIdentifier", "key identifier must be 1..64 bytes")
	}
	var o, i int
	dst, o, i = openExt(dst, oidDERSubjectKeyID, false)
	dst = appendHeader(dst, cbasn1.OCTET_STRING, len(ski))
	dst = append(dst, ski...)
	dst = closeExt(dst, o, i)

	fixed, err := iss.extensionsFor(aki)
	if err != nil {
		return nil, err
	}
	dst = appendExtension(dst, *fixed.aki)
	if p.KeyUsageMonths > 0 {
		end := AddMonths(tmpl.NotBefore, p.KeyUsageMonths)
		if end.After(notAfter) && notAfter.After(tmpl.NotBefore) { // else e_validity_order says why
			end = notAfter
		}
		if dst, err = appendPrivateKeyUsageExt(dst, tmpl.NotBefore, end); err != nil {
			return nil, err
		}
	}
	switch {
	case p.OCSPNoCheck:
		// No CRL pointers, no policy (see buildCertExtensions).
	case tmpl.Policies != nil || p.AnyPolicy:
		pols := iss.Policies
		if tmpl.Policies != nil {
			pols = tmpl.Policies
		}
		if p.AnyPolicy && !containsOID(pols, OIDPolicyAny) {
			pols = append(append([]asn1.ObjectIdentifier(nil), pols...), OIDPolicyAny)
		}
		e, err := MarshalCertificatePolicies(pols)
		if err != nil {
			return nil, err
		}
		if dst, err = checkedExtension(dst, e); err != nil {
			return nil, err
		}
	case fixed.policies != nil:
		dst = appendExtension(dst, *fixed.policies)
	}
	if tmpl.SubjectSignTool != "" {
		if err := checkToolString("subjectSignTool", tmpl.SubjectSignTool, 200); err != nil {
			return nil, err
		}
		dst, o, i = openExt(dst, oidDERSubjectSignTool, false)
		dst = appendHeader(dst, TagUTF8String, len(tmpl.SubjectSignTool))
		dst = append(dst, tmpl.SubjectSignTool...)
		dst = closeExt(dst, o, i)
	}
	if fixed.signTool != nil {
		dst = appendExtension(dst, *fixed.signTool)
	}
	if p.Qualified {
		k := tmpl.IdentificationKind
		if k < 0 || k > 3 {
			return nil, invalid("identificationKind", strconv.Itoa(int(k))+" not in 0..3")
		}
		dst, o, i = openExt(dst, oidDERIdentificationKnd, false)
		dst = append(dst, byte(cbasn1.INTEGER), 1, byte(k))
		dst = closeExt(dst, o, i)
	}
	cdp, freshest := fixed.cdp, fixed.freshest
	if tmpl.CRLURLs != nil {
		e, err := MarshalCRLDistributionPoints([]DistributionPoint{{URIs: tmpl.CRLURLs}})
		if err != nil {
			return nil, err
		}
		cdp = &e
	}
	if tmpl.FreshestCRLURLs != nil {
		e, err := MarshalFreshestCRL(tmpl.FreshestCRLURLs)
		if err != nil {
			return nil, err
		}
		freshest = &e
	}
	if cdp != nil && !p.OCSPNoCheck {
		if dst, err = checkedExtension(dst, *cdp); err != nil {
			return nil, err
		}
	}
	if freshest != nil && !p.OCSPNoCheck {
		if dst, err = checkedExtension(dst, *freshest); err != nil {
			return nil, err
		}
	}
	if fixed.aia != nil {
		dst = appendExtension(dst, *fixed.aia)
	}
	if dst, err = appendAltEmailsExt(dst, tmpl); err != nil {
		return nil, err
	}
	if p.OCSPNoCheck {
		dst = appendExtension(dst, Extension{ID: OIDOCSPNoCheck, Value: []byte{0x05, 0x00}})
	}
	return closeElem(dst, seq, cbasn1.SEQUENCE), nil
}

// appendKeyUsageExt writes keyUsage as MarshalKeyUsage encodes it.
func appendKeyUsageExt(dst []byte, ku KeyUsage) ([]byte, error) {
	if ku == 0 || ku&^keyUsageAll != 0 {
		return nil, invalid("keyUsage", "no bits set, or unknown bits")
	}
	top := bits.Len16(uint16(ku)) - 1
	n := top/8 + 1
	var buf [2]byte
	for i := 0; i <= top; i++ {
		if ku&(1<<i) != 0 {
			buf[i/8] |= 0x80 >> (i % 8)
		}
	}
	dst, o, i := openExt(dst, oidDERKeyUsage, true)
	dst = appendHeader(dst, cbasn1.BIT_STRING, n+1)
	dst = append(dst, byte(7-top%8))
	dst = append(dst, buf[:n]...)
	return closeExt(dst, o, i), nil
}

// appendExtKeyUsageExt writes extKeyUsage as MarshalExtKeyUsage does.
func appendExtKeyUsageExt(dst []byte, purposes []asn1.ObjectIdentifier) ([]byte, error) {
	if err := checkOIDList(purposes, "extKeyUsage"); err != nil {
		return nil, err
	}
	for _, p := range purposes {
		if oidContentLen(p) < 0 {
			if _, err := MarshalExtKeyUsage(purposes); err != nil {
				return nil, err // cryptobyte's complaint, as before
			}
			return nil, invalid("extKeyUsage", "cannot encode OID "+p.String())
		}
	}
	dst, o, i := openExt(dst, oidDERExtKeyUsage, false)
	dst, s := openElem(dst)
	for _, p := range purposes {
		dst = appendOID(dst, p)
	}
	dst = closeElem(dst, s, cbasn1.SEQUENCE)
	return closeExt(dst, o, i), nil
}

// appendPrivateKeyUsageExt writes privateKeyUsagePeriod as
// MarshalPrivateKeyUsagePeriod does.
func appendPrivateKeyUsageExt(dst []byte, notBefore, notAfter time.Time) ([]byte, error) {
	if notBefore.IsZero() && notAfter.IsZero() {
		return nil, invalid("privateKeyUsagePeriod", "neither notBefore nor notAfter")
	}
	if !notBefore.IsZero() && !notAfter.IsZero() && notAfter.Before(notBefore) {
		return nil, invalid("privateKeyUsagePeriod", "notAfter before notBefore")
	}
	dst, o, i := openExt(dst, oidDERPrivateKeyUsage, false)
	dst, s := openElem(dst)
	var err error
	if !notBefore.IsZero() {
		if dst, err = appendGeneralizedTime(dst, notBefore, tagPKUPNotBefore); err != nil {
			return nil, err
		}
	}
	if !notAfter.IsZero() {
		if dst, err = appendGeneralizedTime(dst, notAfter, tagPKUPNotAfter); err != nil {
			return nil, err
		}
	}
	dst = closeElem(dst, s, cbasn1.SEQUENCE)
	return closeExt(dst, o, i), nil
}

// appendAltEmailsExt writes the subjectAltName of altEmails(tmpl), if
// any, as MarshalSubjectAltName does, without building the list.
func appendAltEmailsExt(dst []byte, tmpl *CertificateTemplate) ([]byte, error) {
	first := tmpl.Subject.Email
	seen := func(j int, e string) bool { // e among the names before tmpl.Emails[j]
		if first != "" && e == first {
			return true
		}
		for _, prev := range tmpl.Emails[:j] {
			if prev == e {
				return true
			}
		}
		return false
	}
	has := first != ""
	for j, e := range tmpl.Emails {
		if !seen(j, e) {
			has = true
			break
		}
	}
	if !has {
		return dst, nil
	}
	if first != "" {
		if err := checkEmail(first); err != nil {
			return nil, invalid("subjectAltName", err.Error())
		}
	}
	for j, e := range tmpl.Emails {
		if seen(j, e) {
			continue
		}
		if err := checkEmail(e); err != nil {
			return nil, invalid("subjectAltName", err.Error())
		}
	}
	dst, o, i := openExt(dst, oidDERSubjectAltName, false)
	dst, s := openElem(dst)
	if first != "" {
		dst = appendHeader(dst, tagGNEmail, len(first))
		dst = append(dst, first...)
	}
	for j, e := range tmpl.Emails {
		if seen(j, e) {
			continue
		}
		dst = appendHeader(dst, tagGNEmail, len(e))
		dst = append(dst, e...)
	}
	dst = closeElem(dst, s, cbasn1.SEQUENCE)
	return closeExt(dst, o, i), nil
}

// appendTBS writes the TBSCertificate. Errors come in the order the
// builder reported them: the extensions' first, then the algorithm's and
// the validity's.
func appendTBS(dst []byte, tmpl *CertificateTemplate, iss *Issuer, issuerName, subject, ski, aki []byte, notAfter time.Time) ([]byte, error) {
	var late error
	dst, seq := openElem(dst)
	dst = append(dst, 0xA0, 3, byte(cbasn1.INTEGER), 1, 2) // [0] EXPLICIT version v3
	dst = appendBigInt(dst, tmpl.SerialNumber)
	if oid := algorithmOID(iss.SignatureAlgorithm); oid != nil {
		n := oidContentLen(oid)
		dst = appendHeader(dst, cbasn1.SEQUENCE, headerLen(n)+n)
		dst = appendOID(dst, oid)
	} else {
		late = invalid("signatureAlgorithm", "unknown algorithm")
	}
	dst = append(dst, issuerName...)
	dst, val := openElem(dst)
	for _, t := range [2]time.Time{tmpl.NotBefore, notAfter} {
		var err error
		var out []byte
		if out, err = appendTime(dst, t); err != nil {
			if late == nil {
				late = err
			}
			continue
		}
		dst = out
	}
	dst = closeElem(dst, val, cbasn1.SEQUENCE)
	dst = append(dst, subject...)
	dst = append(dst, tmpl.PublicKey.Raw...)
	dst, ext := openElem(dst)
	dst, err := appendCertExtensions(dst, tmpl, iss, ski, aki, notAfter)
	if err != nil {
		return nil, err
	}
	if late != nil {
		return nil, late
	}
	dst = closeElem(dst, ext, cbasn1.Tag(3).Constructed().ContextSpecific())
	return closeElem(dst, seq, cbasn1.SEQUENCE), nil
}
