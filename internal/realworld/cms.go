package main

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/pkix"
)

// A minimal reader of CMS SignedData (RFC 5652), enough to take out the
// certificates and check each signer's signature: over the signed
// attributes (and their messageDigest against attached content), or over
// the attached content when there are none. Detached content is not at
// hand, so for those only the signature over the attributes is checked.

var (
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
)

func (r *run) cms(name string, data []byte) {
	der, err := toDER(data)
	if err != nil {
		r.fail("cms BER", name, err)
		return
	}
	sd, err := parseSignedData(der)
	if err != nil {
		r.fail("cms parse", name, err)
		return
	}
	r.count("cms.parsed")
	var local []*pkix.Certificate
	for i, c := range sd.certs {
		r.count("cert.total")
		before := len(r.certs)
		r.addCert(fmt.Sprintf("%s cert#%d", name, i+1), c)
		if len(r.certs) > before {
			local = append(local, r.certs[len(r.certs)-1].cert)
		}
	}
	for i, si := range sd.signers {
		r.count("cms.signer.total")
		if err := r.checkSigner(si, sd.content, local); err != nil {
			r.fail("cms signer", fmt.Sprintf("%s signer#%d", name, i+1), err)
			continue
		}
		r.count("cms.signer.verified")
	}
}

type signedData struct {
	certs   [][]byte
	content []byte // attached eContent, nil if detached
	signers []signerInfo
}

type signerInfo struct {
	issuer, serial, ski []byte
	signedAttrs         []byte // the [0] element, DER
	sig                 []byte
}

func parseSignedData(der []byte) (*signedData, error) {
	s := cryptobyte.String(der)
	var ci, content, sdBody cryptobyte.String
	var ct asn1.ObjectIdentifier
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&ct) ||
		!ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errors.New("ContentInfo: malformed")
	}
	if !ct.Equal(oidSignedData) {
		return nil, errNotSignedData
	}
	if !content.ReadASN1(&sdBody, cbasn1.SEQUENCE) {
		return nil, errors.New("SignedData: malformed")
	}
	var ver int64
	var digestAlgs, encap cryptobyte.String
	if !sdBody.ReadASN1Integer(&ver) || !sdBody.ReadASN1(&digestAlgs, cbasn1.SET) || !sdBody.ReadASN1(&encap, cbasn1.SEQUENCE) {
		return nil, errors.New("SignedData: malformed header")
	}
	sd := &signedData{}
	var eType asn1.ObjectIdentifier
	var eContent cryptobyte.String
	var hasContent bool
	if !encap.ReadASN1ObjectIdentifier(&eType) || !encap.ReadOptionalASN1(&eContent, &hasContent, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errors.New("EncapsulatedContentInfo: malformed")
	}
	if hasContent {
		var oct cryptobyte.String
		if !eContent.ReadASN1(&oct, cbasn1.OCTET_STRING) {
			return nil, errors.New("eContent: not an OCTET STRING")
		}
		sd.content = oct
	}
	var certs cryptobyte.String
	var hasCerts bool
	if !sdBody.ReadOptionalASN1(&certs, &hasCerts, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errors.New("certificates: malformed")
	}
	for !certs.Empty() {
		var c cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&c, &tag) {
			return nil, errors.New("certificates: malformed")
		}
		if tag == cbasn1.SEQUENCE {
			sd.certs = append(sd.certs, c)
		}
	}
	var crls cryptobyte.String
	var hasCRLs bool
	if !sdBody.ReadOptionalASN1(&crls, &hasCRLs, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return nil, errors.New("crls: malformed")
	}
	var sis cryptobyte.String
	if !sdBody.ReadASN1(&sis, cbasn1.SET) {
		return nil, errors.New("signerInfos: malformed")
	}
	for !sis.Empty() {
		si, err := readSignerInfo(&sis)
		if err != nil {
			return nil, err
		}
		sd.signers = append(sd.signers, si)
	}
	return sd, nil
}

func readSignerInfo(s *cryptobyte.String) (signerInfo, error) {
	var si signerInfo
	var body, digestAlg, sigAlg, sig cryptobyte.String
	var ver int64
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1Integer(&ver) {
		return si, errors.New("SignerInfo: malformed")
	}
	switch {
	case body.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias cryptobyte.String
		var serial cryptobyte.String
		if !body.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element((*cryptobyte.String)(&si.issuer), cbasn1.SEQUENCE) ||
			!ias.ReadASN1Element(&serial, cbasn1.INTEGER) {
			return si, errors.New("SignerInfo: issuerAndSerialNumber malformed")
		}
		si.serial = serial
	default:
		var ski cryptobyte.String
		if !body.ReadASN1(&ski, cbasn1.Tag(0).ContextSpecific()) {
			return si, errors.New("SignerInfo: sid malformed")
		}
		si.ski = ski
	}
	if !body.ReadASN1(&digestAlg, cbasn1.SEQUENCE) {
		return si, errors.New("SignerInfo: digestAlgorithm malformed")
	}
	if body.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var attrs cryptobyte.String
		if !body.ReadASN1Element(&attrs, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return si, errors.New("SignerInfo: signedAttrs malformed")
		}
		si.signedAttrs = attrs
	}
	if !body.ReadASN1(&sigAlg, cbasn1.SEQUENCE) || !body.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return si, errors.New("SignerInfo: signature malformed")
	}
	si.sig = sig
	return si, nil
}

func (r *run) checkSigner(si signerInfo, content []byte, local []*pkix.Certificate) error {
	var signer *pkix.Certificate
	pool := local
	for _, e := range r.certs {
		pool = append(pool, e.cert)
	}
	for _, c := range pool {
		if si.ski != nil && bytes.Equal(c.SubjectKeyID, si.ski) ||
			si.issuer != nil && bytes.Equal(c.RawIssuer, si.issuer) && bytes.Equal(serialElement(c), si.serial) {
			signer = c
			break
		}
	}
	if signer == nil {
		return errors.New("signer certificate not present (or not parsed)")
	}
	alg, err := pkix.SignatureAlgorithmFor(signer.PublicKey.Key)
	if err != nil {
		return err
	}
	signed := content
	if si.signedAttrs != nil {
		signed = append([]byte{0x31}, si.signedAttrs[1:]...) // [0] IMPLICIT → SET OF
		if content != nil {
			md, err := messageDigest(si.signedAttrs)
			if err != nil {
				return err
			}
			if !bytes.Equal(md, alg.Digest(content)) {
				return errors.New("messageDigest does not match the attached content")
			}
		}
	} else if content == nil {
		return errors.New("detached content without signed attributes")
	}
	return pkix.CheckSignature(signer.PublicKey.Key, alg, signed, si.sig)
}

func serialElement(c *pkix.Certificate) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1BigInt(c.SerialNumber)
	out, _ := b.Bytes()
	return out
}

func messageDigest(attrs []byte) ([]byte, error) {
	s := cryptobyte.String(attrs)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errors.New("signedAttrs: malformed")
	}
	for !body.Empty() {
		var a, vals cryptobyte.String
		var t asn1.ObjectIdentifier
		if !body.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&t) || !a.ReadASN1(&vals, cbasn1.SET) {
			return nil, errors.New("signedAttrs: malformed attribute")
		}
		if t.Equal(oidMessageDigest) {
			var md cryptobyte.String
			if !vals.ReadASN1(&md, cbasn1.OCTET_STRING) {
				return nil, errors.New("messageDigest: malformed")
			}
			return md, nil
		}
	}
	return nil, errors.New("no messageDigest attribute")
}

// toDER rewrites BER indefinite lengths as definite ones and joins
// constructed OCTET STRINGs, which is all CryptoPro's BER output needs;
// DER input comes back unchanged.
func toDER(in []byte) ([]byte, error) {
	out, rest, err := berElement(in, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errors.New("BER: trailing data")
	}
	return out, nil
}

func berElement(in []byte, depth int) (out, rest []byte, err error) {
	if depth > 64 {
		return nil, nil, errors.New("BER: nested too deep")
	}
	if len(in) < 2 {
		return nil, nil, errors.New("BER: truncated")
	}
	tag := in[0]
	if tag&0x1f == 0x1f {
		return nil, nil, errors.New("BER: multi-byte tag")
	}
	constructed := tag&0x20 != 0
	l := int(in[1])
	p := 2
	indefinite := false
	switch {
	case l == 0x80:
		indefinite = true
	case l > 0x80:
		n := l & 0x7f
		if n > 4 || len(in) < 2+n {
			return nil, nil, errors.New("BER: bad length")
		}
		l = 0
		for i := 0; i < n; i++ {
			l = l<<8 | int(in[2+i])
		}
		p = 2 + n
	}
	if !constructed {
		if indefinite || len(in) < p+l {
			return nil, nil, errors.New("BER: bad primitive length")
		}
		return header(tag, in[p:p+l]), in[p+l:], nil
	}
	var body []byte
	var children [][]byte
	cur := in[p:]
	if !indefinite {
		if len(cur) < l {
			return nil, nil, errors.New("BER: truncated")
		}
		cur, rest = cur[:l], cur[l:]
	}
	for {
		if indefinite && len(cur) >= 2 && cur[0] == 0 && cur[1] == 0 {
			rest = cur[2:]
			break
		}
		if !indefinite && len(cur) == 0 {
			break
		}
		child, r2, err := berElement(cur, depth+1)
		if err != nil {
			return nil, nil, err
		}
		children = append(children, child)
		cur = r2
	}
	if tag == 0x24 { // constructed OCTET STRING: join the pieces
		var joined []byte
		for _, c := range children {
			s := cryptobyte.String(c)
			var v cryptobyte.String
			if !s.ReadASN1(&v, cbasn1.OCTET_STRING) {
				return nil, nil, errors.New("BER: OCTET STRING piece")
			}
			joined = append(joined, v...)
		}
		return header(0x04, joined), rest, nil
	}
	for _, c := range children {
		body = append(body, c...)
	}
	return header(tag, body), rest, nil
}

func header(tag byte, body []byte) []byte {
	n := len(body)
	out := []byte{tag}
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, body...)
}
