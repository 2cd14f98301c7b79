package cms

import (
	"bytes"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// MaxSize bounds the CMS input Parse and Verify take (before base64 or
// PEM decoding). A signed application is a few KiB; attached content up
// to several MiB still fits.
const MaxSize = 16 << 20

// maxCertificates and maxSigners bound the lists of a SignedData.
const (
	maxCertificates = 64
	maxSigners      = 16
)

// SignedData is a parsed CMS SignedData (RFC 5652 §5.1) in its
// ContentInfo. Byte slices alias the canonical (definite-length) form of
// the input.
type SignedData struct {
	Version int
	// DigestAlgorithms are the OIDs of the digestAlgorithms SET.
	DigestAlgorithms []asn1.ObjectIdentifier
	// ContentType is eContentType (id-data for a document).
	ContentType asn1.ObjectIdentifier
	// Content is eContent; nil when the signature is detached.
	Content  []byte
	Detached bool
	// Certificates are the DER certificates of the certificates field;
	// other CertificateChoices (attribute certificates…) are skipped.
	Certificates [][]byte
	Signers      []SignerInfo
}

var (
	tagExplicit0 = cbasn1.Tag(0).Constructed().ContextSpecific()
	tagImplicit1 = cbasn1.Tag(1).Constructed().ContextSpecific()
)

// Parse reads a ContentInfo holding a SignedData: DER, BER with
// indefinite lengths, PEM ("CMS", "PKCS7" or "PKCS #7 SIGNED DATA"), or
// bare base64 as CryptoPro tools save it. It checks structure only; use
// Verify for the signature.
func Parse(data []byte) (*SignedData, error) {
	der, err := decodeInput(data)
	if err != nil {
		return nil, err
	}
	der, err = toDER(der)
	if err != nil {
		return nil, err
	}
	return parseContentInfo(der)
}

// decodeInput undoes PEM or base64 armour and bounds the size.
func decodeInput(data []byte) ([]byte, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(data), MaxSize)
	}
	if len(data) == 0 {
		return nil, malformed("empty input")
	}
	if data[0] == 0x30 {
		return data, nil
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		block, rest := pem.Decode(trimmed)
		if block == nil || len(bytes.TrimSpace(rest)) != 0 {
			return nil, malformed("want exactly one PEM block")
		}
		switch block.Type {
		case "CMS", "PKCS7", "PKCS #7 SIGNED DATA":
			return block.Bytes, nil
		}
		return nil, malformed(fmt.Sprintf("PEM block %q, want CMS or PKCS7", block.Type))
	}
	// Bare base64, possibly wrapped in lines.
	clean := make([]byte, 0, len(trimmed))
	for _, c := range trimmed {
		if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
			clean = append(clean, c)
		}
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Decode(out, clean)
	if err != nil || n == 0 || out[0] != 0x30 {
		return nil, malformed("neither DER/BER, PEM nor base64 of a ContentInfo")
	}
	return out[:n], nil
}

func parseContentInfo(der []byte) (*SignedData, error) {
	s := cryptobyte.String(der)
	var ci, content cryptobyte.String
	var ct asn1.ObjectIdentifier
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, malformed("ContentInfo")
	}
	if !ci.ReadASN1ObjectIdentifier(&ct) {
		return nil, malformed("ContentInfo contentType")
	}
	if !ct.Equal(OIDSignedData) {
		return nil, fmt.Errorf("%w: content type %v", ErrNotSignedData, ct)
	}
	if !ci.ReadASN1(&content, tagExplicit0) || !ci.Empty() {
		return nil, malformed("ContentInfo content")
	}
	var body cryptobyte.String
	if !content.ReadASN1(&body, cbasn1.SEQUENCE) || !content.Empty() {
		return nil, malformed("SignedData")
	}
	return parseSignedData(body)
}

func parseSignedData(body cryptobyte.String) (*SignedData, error) {
	sd := &SignedData{}
	var ver int64
	if !body.ReadASN1Integer(&ver) || ver < 1 || ver > 5 {
		return nil, malformed("SignedData version")
	}
	sd.Version = int(ver)
	var algs cryptobyte.String
	if !body.ReadASN1(&algs, cbasn1.SET) {
		return nil, malformed("SignedData digestAlgorithms")
	}
	for !algs.Empty() {
		oid, err := readAlgorithm(&algs, "digestAlgorithms")
		if err != nil {
			return nil, err
		}
		if len(sd.DigestAlgorithms) >= maxSigners {
			return nil, fmt.Errorf("%w: more than %d digest algorithms", ErrTooLarge, maxSigners)
		}
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, oid)
	}
	if err := sd.readEncapContent(&body); err != nil {
		return nil, err
	}
	if err := sd.readCertificates(&body); err != nil {
		return nil, err
	}
	var crls cryptobyte.String
	var hasCRLs bool
	if !body.ReadOptionalASN1(&crls, &hasCRLs, tagImplicit1) {
		return nil, malformed("SignedData crls")
	}
	var sis cryptobyte.String
	if !body.ReadASN1(&sis, cbasn1.SET) || !body.Empty() {
		return nil, malformed("SignedData signerInfos")
	}
	for !sis.Empty() {
		if len(sd.Signers) >= maxSigners {
			return nil, fmt.Errorf("%w: more than %d signers", ErrTooLarge, maxSigners)
		}
		si, err := readSignerInfo(&sis)
		if err != nil {
			return nil, fmt.Errorf("SignerInfo %d: %w", len(sd.Signers)+1, err)
		}
		sd.Signers = append(sd.Signers, *si)
	}
	return sd, nil
}

// readEncapContent reads EncapsulatedContentInfo.
func (sd *SignedData) readEncapContent(body *cryptobyte.String) error {
	var encap, wrapped cryptobyte.String
	var has bool
	if !body.ReadASN1(&encap, cbasn1.SEQUENCE) || !encap.ReadASN1ObjectIdentifier(&sd.ContentType) ||
		!encap.ReadOptionalASN1(&wrapped, &has, tagExplicit0) || !encap.Empty() {
		return malformed("encapContentInfo")
	}
	if !has {
		sd.Detached = true
		return nil
	}
	var octets cryptobyte.String
	if !wrapped.ReadASN1(&octets, cbasn1.OCTET_STRING) || !wrapped.Empty() {
		return malformed("eContent: not one OCTET STRING")
	}
	sd.Content = []byte(octets)
	if sd.Content == nil {
		sd.Content = []byte{}
	}
	return nil
}

// readCertificates reads the optional [0] IMPLICIT CertificateSet,
// keeping the X.509 certificates (SEQUENCE choice).
func (sd *SignedData) readCertificates(body *cryptobyte.String) error {
	var certs cryptobyte.String
	var has bool
	if !body.ReadOptionalASN1(&certs, &has, tagExplicit0) {
		return malformed("SignedData certificates")
	}
	for !certs.Empty() {
		var c cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&c, &tag) {
			return malformed("SignedData certificates")
		}
		if tag != cbasn1.SEQUENCE {
			continue // attribute certificates and other choices: not ours
		}
		if len(sd.Certificates) >= maxCertificates {
			return fmt.Errorf("%w: more than %d certificates", ErrTooLarge, maxCertificates)
		}
		sd.Certificates = append(sd.Certificates, []byte(c))
	}
	return nil
}

// readAlgorithm reads an AlgorithmIdentifier whose parameters are absent
// or NULL (GOST digests and signatures take none) and returns its OID.
func readAlgorithm(s *cryptobyte.String, what string) (asn1.ObjectIdentifier, error) {
	var alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, malformed(what)
	}
	if !alg.Empty() {
		var null cryptobyte.String
		if !alg.ReadASN1(&null, cbasn1.NULL) || len(null) != 0 || !alg.Empty() {
			return nil, fmt.Errorf("%w: %s %v: parameters other than NULL", ErrUnsupportedAlgorithm, what, oid)
		}
	}
	return oid, nil
}
