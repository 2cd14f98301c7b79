package pkix

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/asn1"
	"fmt"
	"hash"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/gost/streebog"
)

// OCSPHash is the hash algorithm of an OCSP CertID (RFC 6960 §4.1.1).
type OCSPHash int

const (
	OCSPHashSHA1 OCSPHash = iota + 1
	OCSPHashSHA256
	OCSPHashStreebog256
	OCSPHashStreebog512

	numOCSPHashes = iota
)

// CertID hash OIDs outside the GOST family (unexported: oid.go belongs
// to the whole package; OCSPHash.OID gives them out).
var (
	ocspOIDSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	ocspOIDSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

// OCSPHashes lists the supported CertID hashes.
var OCSPHashes = []OCSPHash{OCSPHashSHA1, OCSPHashSHA256, OCSPHashStreebog256, OCSPHashStreebog512}

func (h OCSPHash) String() string {
	switch h {
	case OCSPHashSHA1:
		return "SHA-1"
	case OCSPHashSHA256:
		return "SHA-256"
	case OCSPHashStreebog256:
		return "Streebog-256"
	case OCSPHashStreebog512:
		return "Streebog-512"
	}
	return fmt.Sprintf("OCSPHash(%d)", int(h))
}

// OID returns the hash's object identifier, nil if unknown.
func (h OCSPHash) OID() asn1.ObjectIdentifier {
	switch h {
	case OCSPHashSHA1:
		return ocspOIDSHA1
	case OCSPHashSHA256:
		return ocspOIDSHA256
	case OCSPHashStreebog256:
		return OIDDigestStreebog256
	case OCSPHashStreebog512:
		return OIDDigestStreebog512
	}
	return nil
}

// Size returns the digest length, 0 if unknown.
func (h OCSPHash) Size() int {
	switch h {
	case OCSPHashSHA1:
		return 20
	case OCSPHashSHA256, OCSPHashStreebog256:
		return 32
	case OCSPHashStreebog512:
		return 64
	}
	return 0
}

func (h OCSPHash) new() hash.Hash {
	switch h {
	case OCSPHashSHA1:
		return sha1.New() // RFC 6960's default CertID hash, not a signature
	case OCSPHashSHA256:
		return sha256.New()
	case OCSPHashStreebog256:
		return streebog.New256()
	case OCSPHashStreebog512:
		return streebog.New512()
	}
	return nil
}

func (h OCSPHash) sum(data []byte) []byte {
	d := h.new()
	d.Write(data)
	return d.Sum(nil)
}

// ocspHashOIDs holds the DER contents of each hash OID, for matching
// without decoding.
var ocspHashOIDs = func() (m [numOCSPHashes + 1][]byte) {
	for _, h := range OCSPHashes {
		m[h] = appendOID(nil, h.OID())[2:]
	}
	return m
}()

// CertID identifies a certificate in OCSP: issuer name and key hashes and
// the serial number (RFC 6960 §4.1.1).
type CertID struct {
	Hash           OCSPHash
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	// Serial is the big-endian magnitude of the serial number.
	Serial []byte
	// Raw is the CertID element as received (parsers set it). When set,
	// an OCSP response writes it verbatim, so a response echoes the
	// request's CertID exactly (hash parameters absent or NULL included);
	// the fields above are then not consulted.
	Raw []byte
}

// ocspReadCertID reads a CertID; slices alias s.
func ocspReadCertID(s *cryptobyte.String) (CertID, error) {
	var id CertID
	var raw, body, alg, oid cryptobyte.String
	if !s.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
		return id, fmt.Errorf("CertID: %w", ErrMalformed)
	}
	id.Raw = raw
	if !raw.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) {
		return id, fmt.Errorf("CertID: %w: hashAlgorithm", ErrMalformed)
	}
	if !alg.Empty() && !bytes.Equal(alg, []byte{0x05, 0x00}) {
		return id, fmt.Errorf("CertID: %w: hashAlgorithm parameters must be absent or NULL", ErrMalformed)
	}
	for _, h := range OCSPHashes {
		if bytes.Equal(oid, ocspHashOIDs[h]) {
			id.Hash = h
		}
	}
	if id.Hash == 0 {
		return id, fmt.Errorf("CertID: %w: hash algorithm %s", ErrUnsupported, revOIDString(oid))
	}
	var name, key cryptobyte.String
	if !body.ReadASN1(&name, cbasn1.OCTET_STRING) || !body.ReadASN1(&key, cbasn1.OCTET_STRING) {
		return id, fmt.Errorf("CertID: %w: issuer hashes", ErrMalformed)
	}
	if len(name) != id.Hash.Size() || len(key) != id.Hash.Size() {
		return id, fmt.Errorf("CertID: %w: issuer hashes are not %s digests", ErrMalformed, id.Hash)
	}
	id.IssuerNameHash, id.IssuerKeyHash = name, key
	var err error
	if id.Serial, err = revReadSerial(&body); err != nil {
		return id, fmt.Errorf("CertID: %w", err)
	}
	if !body.Empty() {
		return id, fmt.Errorf("CertID: %w", ErrTrailingData)
	}
	return id, nil
}

// ocspCertIDProblem says what is wrong with a CertID to encode, "" if
// nothing.
func ocspCertIDProblem(id *CertID) string {
	if id.Raw != nil {
		s := cryptobyte.String(id.Raw)
		if _, err := ocspReadCertID(&s); err != nil || !s.Empty() {
			return "CertID: Raw is not one valid CertID"
		}
		return ""
	}
	if id.Hash.Size() == 0 {
		return "CertID: unknown hash algorithm"
	}
	if len(id.IssuerNameHash) != id.Hash.Size() || len(id.IssuerKeyHash) != id.Hash.Size() {
		return "CertID: issuer hashes are not " + id.Hash.String() + " digests"
	}
	if _, _, why := revSerialMagnitude(id.Serial); why != "" {
		return "CertID: " + why
	}
	return ""
}

// ocspAddCertID writes a CertID checked by ocspCertIDProblem; the hash
// AlgorithmIdentifier is written with parameters absent (RFC 5754, RFC 9215).
func ocspAddCertID(b *cryptobyte.Builder, id *CertID) {
	if id.Raw != nil {
		b.AddBytes(id.Raw)
		return
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(id.Hash.OID()) })
		b.AddASN1OctetString(id.IssuerNameHash)
		b.AddASN1OctetString(id.IssuerKeyHash)
		mag, _, _ := revSerialMagnitude(id.Serial)
		b.AddBytes(revAppendSerial(make([]byte, 0, 24), mag))
	})
}

// SubjectPublicKeyBits returns the contents of the subjectPublicKey BIT
// STRING of a DER SubjectPublicKeyInfo (the unused-bits octet excluded):
// the bytes RFC 6960 hashes into issuerKeyHash and the responder's
// KeyHash. For GOST keys that is the DER OCTET STRING holding the point.
func SubjectPublicKeyBits(spki []byte) ([]byte, error) {
	if len(spki) > maxSPKI {
		return nil, errf("subjectPublicKeyInfo: %w: %d bytes", ErrTooLarge, len(spki))
	}
	body, err := readWhole(spki, cbasn1.SEQUENCE, "subjectPublicKeyInfo")
	if err != nil {
		return nil, err
	}
	var alg cryptobyte.String
	var bits asn1.BitString
	if !body.ReadASN1(&alg, cbasn1.SEQUENCE) || !body.ReadASN1BitString(&bits) || !body.Empty() || bits.BitLength%8 != 0 {
		return nil, malformed("subjectPublicKeyInfo")
	}
	return bits.Bytes, nil
}

// CertIDHashes computes issuerNameHash and issuerKeyHash under h from the
// issuer certificate's DER subject Name and its subjectPublicKey BIT
// STRING contents (SubjectPublicKeyBits).
func CertIDHashes(h OCSPHash, issuerName, issuerKeyBits []byte) (nameHash, keyHash []byte, err error) {
	if h.Size() == 0 {
		return nil, nil, invalid("CertID", "unknown hash algorithm")
	}
	return h.sum(issuerName), h.sum(issuerKeyBits), nil
}

// ResponderKeyHash is the byKey ResponderID of a responder: the SHA-1
// hash of its subjectPublicKey BIT STRING contents (RFC 6960 §4.2.1).
func ResponderKeyHash(spki []byte) ([]byte, error) {
	bits, err := SubjectPublicKeyBits(spki)
	if err != nil {
		return nil, err
	}
	return OCSPHashSHA1.sum(bits), nil
}

// OCSPIssuer holds a CA's CertID hashes under every supported hash, so a
// responder matches requests to issuers without hashing per request.
type OCSPIssuer struct {
	nameHash, keyHash [numOCSPHashes + 1][]byte
}

// NewOCSPIssuer prepares the hashes of the CA certificate with the given
// DER subject Name and SubjectPublicKeyInfo.
func NewOCSPIssuer(subject, spki []byte) (*OCSPIssuer, error) {
	if !isOneElement(subject) || subject[0] != byte(cbasn1.SEQUENCE) {
		return nil, invalid("OCSP issuer", "subject is not one DER Name")
	}
	bits, err := SubjectPublicKeyBits(spki)
	if err != nil {
		return nil, wrapCtx("OCSP issuer", err)
	}
	i := &OCSPIssuer{}
	for _, h := range OCSPHashes {
		i.nameHash[h], i.keyHash[h], _ = CertIDHashes(h, subject, bits)
	}
	return i, nil
}

// Matches reports whether id names a certificate of this issuer.
func (i *OCSPIssuer) Matches(id *CertID) bool {
	if id.Hash <= 0 || id.Hash > numOCSPHashes {
		return false
	}
	return bytes.Equal(id.IssuerNameHash, i.nameHash[id.Hash]) && bytes.Equal(id.IssuerKeyHash, i.keyHash[id.Hash])
}

// CertID returns the CertID of this issuer's certificate with the given
// serial (big-endian magnitude) under h.
func (i *OCSPIssuer) CertID(h OCSPHash, serial []byte) (CertID, error) {
	id := CertID{Hash: h, Serial: serial}
	if h > 0 && h <= numOCSPHashes {
		id.IssuerNameHash, id.IssuerKeyHash = i.nameHash[h], i.keyHash[h]
	}
	if why := ocspCertIDProblem(&id); why != "" {
		return CertID{}, invalid("OCSP issuer", why)
	}
	return id, nil
}
