package cms

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/gost/streebog"
	"github.com/gostca/gostca/pkix"
)

// signingCertV2 is the first ESSCertIDv2 of a SigningCertificateV2
// (RFC 5035 §3): the one that names the signer's certificate. Later
// entries (the chain, optionally) and the policies are not used.
type signingCertV2 struct {
	hash     asn1.ObjectIdentifier
	certHash []byte
	// issuers are the directoryName entries of issuerSerial, serial its
	// serialNumber; both nil when issuerSerial is absent.
	issuers [][]byte
	serial  *big.Int
}

// oidGOST341194 is the withdrawn GOST R 34.11-94 hash, named in errors.
var oidGOST341194 = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 9}

var tagDirectoryName = cbasn1.Tag(4).Constructed().ContextSpecific()

func parseSigningCertV2(v cryptobyte.String) (*signingCertV2, error) {
	bad := func(why string) error { return attrErr(attrSigningCertV2, why) }
	var seq, certs, id cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() || !seq.ReadASN1(&certs, cbasn1.SEQUENCE) {
		return nil, bad("malformed SigningCertificateV2")
	}
	if !certs.ReadASN1(&id, cbasn1.SEQUENCE) {
		return nil, bad("no ESSCertIDv2")
	}
	sc := &signingCertV2{hash: OIDSHA256} // the DEFAULT
	if id.PeekASN1Tag(cbasn1.SEQUENCE) {
		oid, err := readAlgorithm(&id, "ESSCertIDv2 hashAlgorithm")
		if err != nil {
			return nil, bad("hashAlgorithm with parameters")
		}
		sc.hash = oid
	}
	var h cryptobyte.String
	if !id.ReadASN1(&h, cbasn1.OCTET_STRING) {
		return nil, bad("malformed certHash")
	}
	sc.certHash = h
	if !id.Empty() {
		var is, names cryptobyte.String
		sc.serial = new(big.Int)
		if !id.ReadASN1(&is, cbasn1.SEQUENCE) || !is.ReadASN1(&names, cbasn1.SEQUENCE) ||
			!is.ReadASN1Integer(sc.serial) || !is.Empty() || !id.Empty() {
			return nil, bad("malformed issuerSerial")
		}
		for !names.Empty() {
			var gn cryptobyte.String
			var tag cbasn1.Tag
			if !names.ReadAnyASN1(&gn, &tag) {
				return nil, bad("malformed issuerSerial issuer")
			}
			if tag == tagDirectoryName {
				var name cryptobyte.String
				if !gn.ReadASN1Element(&name, cbasn1.SEQUENCE) || !gn.Empty() {
					return nil, bad("malformed issuerSerial directoryName")
				}
				sc.issuers = append(sc.issuers, name)
			}
		}
	}
	if certHashSize(sc.hash) == 0 {
		name := sc.hash.String()
		if sc.hash.Equal(oidGOST341194) {
			name = "GOST R 34.11-94 (withdrawn with GOST R 34.10-2001)"
		}
		return nil, fmt.Errorf("%w: signingCertificateV2 hash %s (want Streebog-256/512 or SHA-256/384/512)", ErrUnsupportedAlgorithm, name)
	}
	if len(sc.certHash) != certHashSize(sc.hash) {
		return nil, bad(fmt.Sprintf("certHash of %d bytes for %v", len(sc.certHash), sc.hash))
	}
	return sc, nil
}

func certHashSize(oid asn1.ObjectIdentifier) int {
	switch {
	case oid.Equal(pkix.OIDDigestStreebog256), oid.Equal(OIDSHA256):
		return 32
	case oid.Equal(OIDSHA384):
		return 48
	case oid.Equal(pkix.OIDDigestStreebog512), oid.Equal(OIDSHA512):
		return 64
	}
	return 0
}

func certHash(oid asn1.ObjectIdentifier, der []byte) []byte {
	switch {
	case oid.Equal(pkix.OIDDigestStreebog256):
		h := streebog.Sum256(der)
		return h[:]
	case oid.Equal(pkix.OIDDigestStreebog512):
		h := streebog.Sum512(der)
		return h[:]
	case oid.Equal(OIDSHA256):
		h := sha256.Sum256(der)
		return h[:]
	case oid.Equal(OIDSHA384):
		h := sha512.Sum384(der)
		return h[:]
	case oid.Equal(OIDSHA512):
		h := sha512.Sum512(der)
		return h[:]
	}
	return nil
}

// check compares the ESSCertIDv2 with the signer certificate.
func (sc *signingCertV2) check(cert *pkix.Certificate) error {
	if !bytes.Equal(certHash(sc.hash, cert.Raw), sc.certHash) {
		return fmt.Errorf("%w: certHash is not the hash of the signer certificate", ErrCertificateHash)
	}
	if sc.serial == nil {
		return nil
	}
	if sc.serial.Cmp(cert.SerialNumber) != 0 {
		return fmt.Errorf("%w: issuerSerial names serial %X, the signer certificate's is %X", ErrCertificateHash, sc.serial, cert.SerialNumber)
	}
	if len(sc.issuers) == 0 {
		return nil
	}
	for _, n := range sc.issuers {
		if bytes.Equal(n, cert.RawIssuer) {
			return nil
		}
	}
	return fmt.Errorf("%w: issuerSerial names another issuer than the signer certificate's", ErrCertificateHash)
}
