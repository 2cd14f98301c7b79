package pkix

import (
	"sync"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The envelope of a signed OCSP response is written directly: every
// length is known once the ResponseData, the signature and the
// certificates are, so the bytes go out in one pass into one buffer of
// the final size. (A cryptobyte builder makes a child builder, and a
// closure, per nested element: a dozen allocations per answer signed
// live, each request with a nonce.)

// appendOCSPResponse appends OCSPResponse { successful, responseBytes {
// id-pkix-ocsp-basic, OCTET STRING { BasicOCSPResponse { tbs, algID,
// BIT STRING sig, [0] { SEQUENCE certs } } } } }. algID is the whole DER
// AlgorithmIdentifier; tbs and each certificate one DER element.
func appendOCSPResponse(dst, tbs, algID, sig []byte, certs [][]byte) []byte {
	certsLen := 0
	for _, c := range certs {
		certsLen += len(c)
	}
	basicLen := len(tbs) + len(algID) + headerLen(1+len(sig)) + 1 + len(sig)
	if len(certs) > 0 {
		seq := headerLen(certsLen) + certsLen
		basicLen += headerLen(seq) + seq
	}
	octetLen := headerLen(basicLen) + basicLen
	oid := ocspBasicOID()
	rbSeqLen := len(oid) + headerLen(octetLen) + octetLen
	rbLen := headerLen(rbSeqLen) + rbSeqLen
	topLen := 3 + headerLen(rbLen) + rbLen
	if dst == nil {
		dst = make([]byte, 0, headerLen(topLen)+topLen)
	}
	dst = appendHeader(dst, cbasn1.SEQUENCE, topLen)
	dst = append(dst, byte(cbasn1.ENUM), 1, byte(OCSPSuccessful))
	dst = appendHeader(dst, tagOCSPResponseBytes, rbLen)
	dst = appendHeader(dst, cbasn1.SEQUENCE, rbSeqLen)
	dst = append(dst, oid...)
	dst = appendHeader(dst, cbasn1.OCTET_STRING, basicLen+headerLen(basicLen))
	dst = appendHeader(dst, cbasn1.SEQUENCE, basicLen)
	dst = append(dst, tbs...)
	dst = append(dst, algID...)
	dst = appendHeader(dst, cbasn1.BIT_STRING, 1+len(sig))
	dst = append(dst, 0)
	dst = append(dst, sig...)
	if len(certs) > 0 {
		seq := headerLen(certsLen) + certsLen
		dst = appendHeader(dst, tagOCSPCerts, seq)
		dst = appendHeader(dst, cbasn1.SEQUENCE, certsLen)
		for _, c := range certs {
			dst = append(dst, c...)
		}
	}
	return dst
}

var (
	derOnce      sync.Once
	derOCSPBasic []byte
	derAlgIDs    map[SignatureAlgorithm][]byte
)

func initDER() {
	derOCSPBasic = appendOID(nil, OIDOCSPBasic)
	derAlgIDs = map[SignatureAlgorithm][]byte{}
	for _, a := range []SignatureAlgorithm{GOST256, GOST512, ECDSAWithSHA256, ECDSAWithSHA384} {
		b := cryptobyte.NewBuilder(nil)
		addAlgorithmIdentifier(b, a)
		if der, err := b.Bytes(); err == nil {
			derAlgIDs[a] = der
		}
	}
}

// ocspBasicOID is the DER OBJECT IDENTIFIER id-pkix-ocsp-basic.
func ocspBasicOID() []byte { derOnce.Do(initDER); return derOCSPBasic }

// algorithmIdentifierDER is the DER AlgorithmIdentifier of a signature
// algorithm, nil for an unknown one. Shared: read only.
func algorithmIdentifierDER(a SignatureAlgorithm) []byte { derOnce.Do(initDER); return derAlgIDs[a] }
