package pkix

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"fmt"
	"hash"
	"io"
	"iter"
	"time"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/gost/streebog"
)

// Streaming CRL construction.
//
// A CRL of a million entries is 50–80 MB of DER. DER puts every length
// before its contents, and the outer CertificateList header — the first
// bytes of the output — covers the signature, which exists only once the
// whole TBSCertList has been hashed. The builder therefore never holds the
// CRL in memory; it runs over the entry source more than once:
//
//  1. Size pass: every entry is validated and its exact encoded size
//     computed arithmetically (no encoding, no allocation). This gives the
//     revokedCertificates and TBSCertList lengths.
//  2. For GOST the signature length is fixed (64 or 128 octets, s ‖ r), so
//     the outer length is known now: the outer header is written, then the
//     TBSCertList is encoded into a 64 KiB buffer that is flushed to both
//     the digest and the writer, then the digest is signed (SignDigest, an
//     HSM in production) and the algorithm and signature are appended.
//  3. For ECDSA the DER signature length varies with the values of r and
//     s, so the outer length is unknown until signing: a hash-only pass
//     produces the digest, it is signed, and a third pass writes the
//     output, hashing again to prove it wrote what was signed.
//
// Memory is one buffer whatever the CRL size; CPU is dominated by the
// digest (Streebog ≈ 130 MB/s). The entry source must yield the same
// entries in the same order on every pass (a store snapshot). A change
// that would corrupt the output is detected and reported as an error: a
// different entry count or size (the DER lengths written up front would
// be wrong), and for ECDSA any difference between the signed pass and the
// written one (the digests differ). Every pass validates the entries it
// encodes. On any error, what was already written to the writer is
// garbage and must be discarded — write to a temporary file or buffer and
// publish on success.

// SignDigestFunc signs a digest of the to-be-signed bytes, computed with
// the hash of the signature algorithm (Streebog-256/512 output as is for
// GOST; SHA-256/384 for ECDSA), and returns the signature value: s ‖ r for
// GOST, a DER Ecdsa-Sig-Value for ECDSA.
type SignDigestFunc func(digest []byte) ([]byte, error)

// CRLBuilder writes a signed CRL to a writer without holding it in memory.
type CRLBuilder struct {
	// Template is the CRL; its SignatureAlgorithm must be set.
	Template *CRLTemplate
	// Entries yields the revoked certificates. It is run two (GOST) or
	// three (ECDSA) times and must yield the same sequence each time; a
	// non-nil error stops the build with that error. Nil means none.
	// Serial numbers must be unique; the builder does not check, as that
	// would cost memory in the size of the CRL.
	Entries iter.Seq2[RevokedEntry, error]
	// SignDigest signs the TBSCertList digest.
	SignDigest SignDigestFunc
	// Verify, if set, is the CA public key: the signature is checked
	// before it is written (guards against a faulty signer).
	Verify crypto.PublicKey
}

const (
	crlBufSize = 64 << 10
	// crlMaxBuild keeps every length within a 32-bit int (2 GiB: some
	// 40 million entries).
	crlMaxBuild = 1<<31 - 1<<16
)

// WriteTo builds the CRL and writes it to w, returning the bytes written.
// A w with a Grow(int) method (bytes.Buffer) is grown by the exact size
// of the CRL before the first write.
func (cb *CRLBuilder) WriteTo(w io.Writer) (int64, error) {
	l, err := newCRLLayout(cb.Template)
	if err != nil {
		return 0, err
	}
	if cb.SignDigest == nil {
		return 0, invalid("CRL", "no SignDigest")
	}
	entries := cb.Entries
	if entries == nil {
		entries = crlSliceEntries(nil)
	}
	count, listLen, err := l.measure(entries)
	if err != nil {
		return 0, err
	}
	tbsContent := int64(len(l.prefix)) + int64(len(l.suffix))
	if count > 0 {
		tbsContent += int64(headerLen(int(listLen))) + listLen
	}
	if tbsContent > crlMaxBuild {
		return 0, errf("CRL: %w: %d bytes", ErrTooLarge, tbsContent)
	}
	sh := crlShape{count: count, listLen: int(listLen), tbsContent: int(tbsContent)}
	out := &crlCountWriter{w: w}
	var digest, sig []byte
	if l.sigLen > 0 {
		crlGrow(w, headerLen(sh.outerLen(l, l.sigLen))+sh.outerLen(l, l.sigLen))
		out.header(sh.outerLen(l, l.sigLen))
		if digest, err = l.emit(out, entries, sh); err != nil {
			return out.n, err
		}
		if sig, err = cb.sign(l, digest); err != nil {
			return out.n, err
		}
	} else {
		if digest, err = l.emit(nil, entries, sh); err != nil {
			return 0, err
		}
		if sig, err = cb.sign(l, digest); err != nil {
			return 0, err
		}
		crlGrow(w, headerLen(sh.outerLen(l, len(sig)))+sh.outerLen(l, len(sig)))
		out.header(sh.outerLen(l, len(sig)))
		again, err := l.emit(out, entries, sh)
		if err != nil {
			return out.n, err
		}
		if !bytes.Equal(again, digest) {
			return out.n, errf("CRL: %w: entries changed between passes (the source must yield the same entries each time)", ErrInvalidValue)
		}
	}
	out.write(l.algID)
	out.write(appendHeader(make([]byte, 0, 8), cbasn1.BIT_STRING, len(sig)+1))
	out.write([]byte{0})
	out.write(sig)
	return out.n, out.err
}

// crlGrow tells a writer with a Grow method (a bytes.Buffer) the exact
// size of the CRL before the first byte, so that a buffer of a million
// entries is allocated once instead of doubling its way there (which
// holds both the old and the new array at every step).
func crlGrow(w io.Writer, n int) {
	if g, ok := w.(interface{ Grow(int) }); ok {
		g.Grow(n)
	}
}

// crlShape is what the size pass learned.
type crlShape struct {
	count, listLen, tbsContent int
}

func (sh crlShape) outerLen(l *crlLayout, sigLen int) int {
	return headerLen(sh.tbsContent) + sh.tbsContent + len(l.algID) + headerLen(sigLen+1) + sigLen + 1
}

// sign obtains and checks the signature for digest.
func (cb *CRLBuilder) sign(l *crlLayout, digest []byte) ([]byte, error) {
	sig, err := cb.SignDigest(digest)
	if err != nil {
		return nil, errf("CRL: sign: %w", err)
	}
	if l.sigLen > 0 && len(sig) != l.sigLen {
		return nil, errf("CRL: sign: %w: %d-octet signature, %s needs %d", ErrInvalidValue, len(sig), l.alg, l.sigLen)
	}
	if l.sigLen == 0 && (len(sig) > 160 || !isOneElement(sig)) {
		return nil, errf("CRL: sign: %w: not a DER ECDSA signature", ErrInvalidValue)
	}
	if cb.Verify != nil {
		if err := crlVerifyDigest(cb.Verify, l.alg, digest, sig); err != nil {
			return nil, errf("CRL: sign: %w", err)
		}
	}
	return sig, nil
}

// crlVerifyDigest checks sig over an already computed digest.
func crlVerifyDigest(pub crypto.PublicKey, alg SignatureAlgorithm, digest, sig []byte) error {
	want, err := SignatureAlgorithmFor(pub)
	if err != nil {
		return err
	}
	if want != alg {
		return fmt.Errorf("%w: %s with a key that signs %s", ErrInvalidValue, alg, want)
	}
	return verifyDigest(pub, alg, digest, sig)
}

// revDigestFor returns the hash of alg and its fixed signature length (0 when
// the length varies, as for ECDSA).
func revDigestFor(alg SignatureAlgorithm) (func() hash.Hash, int, error) {
	switch alg {
	case GOST256:
		return streebog.New256, 64, nil
	case GOST512:
		return streebog.New512, 128, nil
	case ECDSAWithSHA256:
		return sha256.New, 0, nil
	case ECDSAWithSHA384:
		return sha512.New384, 0, nil
	}
	return nil, 0, fmt.Errorf("signatureAlgorithm: %w: %s", ErrInvalidValue, alg)
}

// measure is the size pass: it validates every entry and returns their
// number and the total size of their encodings.
func (l *crlLayout) measure(entries iter.Seq2[RevokedEntry, error]) (count int, size int64, err error) {
	for e, ierr := range entries {
		if ierr != nil {
			return 0, 0, errf("CRL: entries: %w", ierr)
		}
		p, perr := l.plan(&e, count)
		if perr != nil {
			return 0, 0, perr
		}
		size += int64(headerLen(p.content) + p.content)
		count++
		if size > crlMaxBuild {
			return 0, 0, errf("CRL: %w: more than %d bytes of entries", ErrTooLarge, int64(crlMaxBuild))
		}
	}
	return count, size, nil
}

// emit encodes the TBSCertList into out (nil: hash only) and returns its
// digest, checking that the entries match the size pass.
func (l *crlLayout) emit(out *crlCountWriter, entries iter.Seq2[RevokedEntry, error], sh crlShape) ([]byte, error) {
	s := crlSink{h: l.newH(), buf: make([]byte, 0, crlBufSize)}
	if out != nil {
		s.w = out
	}
	s.buf = appendHeader(s.buf, cbasn1.SEQUENCE, sh.tbsContent)
	s.buf = append(s.buf, l.prefix...)
	if sh.count > 0 {
		s.buf = appendHeader(s.buf, cbasn1.SEQUENCE, sh.listLen)
	}
	start := s.written()
	count := 0
	for e, ierr := range entries {
		if ierr != nil {
			return nil, errf("CRL: entries: %w", ierr)
		}
		if count == sh.count {
			return nil, errf("CRL: %w: more entries than in the size pass", ErrInvalidValue)
		}
		p, err := l.plan(&e, count)
		if err != nil {
			return nil, err
		}
		if len(s.buf) > crlBufSize-crlMaxEntryLen {
			if err := s.flush(); err != nil {
				return nil, err
			}
		}
		s.buf = crlAppendEntry(s.buf, &e, &p)
		count++
	}
	if count != sh.count || s.written()-start != int64(sh.listLen) {
		return nil, errf("CRL: %w: entries changed between passes (the source must yield the same entries each time)", ErrInvalidValue)
	}
	s.buf = append(s.buf, l.suffix...)
	if err := s.flush(); err != nil {
		return nil, err
	}
	return s.h.Sum(nil), nil
}

// crlSink buffers TBS bytes and flushes them to the digest and, unless
// nil, the writer.
type crlSink struct {
	w       io.Writer
	h       hash.Hash
	buf     []byte
	flushed int64
}

func (s *crlSink) written() int64 { return s.flushed + int64(len(s.buf)) }

func (s *crlSink) flush() error {
	s.h.Write(s.buf)
	if s.w != nil {
		if _, err := s.w.Write(s.buf); err != nil {
			return errf("CRL: write: %w", err)
		}
	}
	s.flushed += int64(len(s.buf))
	s.buf = s.buf[:0]
	return nil
}

// crlCountWriter counts bytes and keeps the first error.
type crlCountWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *crlCountWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	c.err = err
	return n, err
}

func (c *crlCountWriter) write(p []byte) {
	if c.err == nil {
		if _, err := c.Write(p); err != nil {
			c.err = errf("CRL: write: %w", err)
		}
	}
}

// header writes the outer CertificateList SEQUENCE header.
func (c *crlCountWriter) header(n int) {
	c.write(appendHeader(make([]byte, 0, 8), cbasn1.SEQUENCE, n))
}

// Entry encoding. An entry is
//
//	SEQUENCE { INTEGER serial, Time revocationDate,
//	           SEQUENCE { reasonCode ext, invalidityDate ext } OPTIONAL }
//
// whose two extensions have fixed sizes, so the size of an entry follows
// from its serial length and the type of its date.

var (
	// SEQUENCE { OID reasonCode, OCTET STRING { ENUMERATED r } }: append r.
	crlReasonExtPrefix = crlFixedExtPrefix(OIDExtReasonCode, []byte{0x04, 0x03, 0x0A, 0x01}, 1)
	// SEQUENCE { OID invalidityDate, OCTET STRING { GeneralizedTime } }:
	// append the 17-octet time.
	crlInvalidityExtPrefix = crlFixedExtPrefix(OIDExtInvalidityDate, []byte{0x04, 0x11}, 17)
)

const (
	crlReasonExtLen     = 12
	crlInvalidityExtLen = 26
	// crlMaxEntryLen bounds one encoded entry: 2 + (2+20) + 17 + 2 + 12 + 26.
	crlMaxEntryLen = 81
)

// crlFixedExtPrefix encodes the start of an Extension whose value is an
// OCTET STRING header (octetHdr) followed by tail more octets.
func crlFixedExtPrefix(oid asn1.ObjectIdentifier, octetHdr []byte, tail int) []byte {
	body := appendOID(nil, oid)
	body = append(body, octetHdr...)
	out := appendHeader(nil, cbasn1.SEQUENCE, len(body)+tail)
	return append(out, body...)
}

// crlEntryPlan is an entry's validated, measured form.
type crlEntryPlan struct {
	mag                  []byte
	serialLen, extsInner int
	content              int
}

var revMinTime = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)

// plan validates entry number i (from 0) and sizes its encoding.
func (l *crlLayout) plan(e *RevokedEntry, i int) (crlEntryPlan, error) {
	var p crlEntryPlan
	var why string
	p.mag, p.serialLen, why = revSerialMagnitude(e.Serial)
	if why == "" {
		limit := l.limit
		switch {
		case e.RevokedAt.IsZero():
			why = "revocationDate missing"
		case e.RevokedAt.Before(revMinTime) || !e.RevokedAt.Before(limit):
			why = "revocationDate after the CRL's thisUpdate (or before year 0000)"
		case !e.InvalidityDate.IsZero() && (e.InvalidityDate.Before(revMinTime) || !e.InvalidityDate.Before(limit)):
			why = "invalidityDate after the CRL's thisUpdate (or before year 0000)"
		default:
			why = revCheckReason(e.Reason, l.delta)
		}
	}
	if why != "" {
		return p, invalid(fmt.Sprintf("CRL: entry %d (serial %x)", i+1, e.Serial), why)
	}
	if e.Reason != ReasonUnspecified {
		p.extsInner += crlReasonExtLen
	}
	if !e.InvalidityDate.IsZero() {
		p.extsInner += crlInvalidityExtLen
	}
	p.content = 2 + p.serialLen + revTimeLen(e.RevokedAt, false)
	if p.extsInner > 0 {
		p.content += headerLen(p.extsInner) + p.extsInner
	}
	return p, nil
}

// crlAppendEntry appends the entry planned as p.
func crlAppendEntry(dst []byte, e *RevokedEntry, p *crlEntryPlan) []byte {
	dst = appendHeader(dst, cbasn1.SEQUENCE, p.content)
	dst = revAppendSerial(dst, p.mag)
	dst = revAppendTime(dst, e.RevokedAt, false)
	if p.extsInner > 0 {
		dst = appendHeader(dst, cbasn1.SEQUENCE, p.extsInner)
		if e.Reason != ReasonUnspecified {
			dst = append(dst, crlReasonExtPrefix...)
			dst = append(dst, byte(e.Reason))
		}
		if !e.InvalidityDate.IsZero() {
			dst = append(dst, crlInvalidityExtPrefix...)
			dst = revAppendTime(dst, e.InvalidityDate, true)
		}
	}
	return dst
}
