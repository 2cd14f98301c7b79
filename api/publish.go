package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/publish"
)

// crlMaxAge bounds how long clients and proxies may cache a CRL: status
// changes rebuild it at once, so caches should come back soon.
const crlMaxAge = 60 * time.Second

// crl serves every CRL of an issuer; param is the path between
// "/crl/" and ".crl":
//
//	ISSUER            the full CRL
//	ISSUER-delta      its delta CRL (crl.delta)
//	ISSUER/P          the CRL of partition P (crl.partitions)
//	ISSUER/P-delta    that partition's delta CRL
func (s *Server) crl(ctx *fasthttp.RequestCtx, _ *auth.Principal, param []byte) error {
	c, cancel := s.callCtx()
	defer cancel()
	var f *publish.CRLFile
	var err error
	name := string(param)
	issuer, part, partitioned := strings.Cut(name, "/")
	switch {
	case partitioned:
		pstr, delta := strings.CutSuffix(part, "-delta")
		p, ok := parsePartition(pstr)
		if !ok {
			return &wire.Error{Code: caerr.CodeCRLNotFound, Detail: "no CRL " + strconv.Quote("/crl/"+name+".crl") + ": the partition is a decimal number"}
		}
		f, err = s.pub.PartitionCRL(c, issuer, p, delta)
	case name == cadir.RootID:
		f, err = s.pub.RootCRL(c)
	default:
		// An issuer's own name wins over the -delta suffix.
		if base, delta := strings.CutSuffix(name, "-delta"); delta && !s.isIssuer(name) {
			f, err = s.pub.DeltaCRL(c, base)
		} else {
			f, err = s.pub.CRL(c, name)
		}
	}
	if err != nil {
		return err
	}
	maxAge := min(crlMaxAge, time.Until(f.NextUpdate))
	if notModified(ctx, f.ETag, f.ThisUpdate) {
		cacheHeaders(ctx, f.ETag, f.ThisUpdate, f.NextUpdate, maxAge)
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return nil
	}
	cacheHeaders(ctx, f.ETag, f.ThisUpdate, f.NextUpdate, maxAge)
	ctx.SetContentType("application/pkix-crl")
	if f.DER != nil {
		ctx.Response.SetBodyRaw(f.DER) // shared, never changed once built: no copy
	} else {
		ctx.Response.SetBodyStream(f.Reader(), f.Size()) // a large CRL, read from its file
	}
	return nil
}

// parsePartition reads a partition number in canonical decimal (no sign,
// no leading zeros), at most 4 digits.
func parsePartition(v string) (int, bool) {
	if v == "" || len(v) > 4 || (len(v) > 1 && v[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + int(v[i]-'0')
	}
	return n, true
}

func (s *Server) isIssuer(id string) bool {
	for _, is := range s.e.Issuers() {
		if is.ID == id {
			return true
		}
	}
	return false
}

func (s *Server) caCert(ctx *fasthttp.RequestCtx, _ *auth.Principal, param []byte) error {
	der, ok := s.e.CACertificate(string(param))
	if !ok {
		return &wire.Error{Code: caerr.CodeIssuerNotFound, Detail: "no CA certificate " + strconv.Quote(string(param))}
	}
	sum := sha256.Sum256(der)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	if notModified(ctx, etag, time.Time{}) {
		cacheHeaders(ctx, etag, time.Time{}, time.Time{}, 24*time.Hour)
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return nil
	}
	cacheHeaders(ctx, etag, time.Time{}, time.Time{}, 24*time.Hour)
	ctx.SetContentType("application/pkix-cert")
	ctx.SetBody(der)
	return nil
}

// The OCSP handlers hand the request timeout to the publisher, which
// applies it only to an answer it has not cached: a deadline per request
// costs a timer and four allocations that a cached answer never needs.

func (s *Server) ocspPost(ctx *fasthttp.RequestCtx, _ *auth.Principal, _ []byte) error {
	a := s.pub.OCSPWithin(context.Background(), ctx.PostBody(), s.opts.WriteTimeout)
	h := &ctx.Response.Header
	h.SetCanonical(hdrCacheControl, valNoStore)
	h.SetCanonical(hdrContentType, valOCSPResponse)
	ctx.Response.SetBodyRaw(a.DER) // shared, never changed once made: no copy
	return nil
}

// ocspGet serves RFC 6960 Appendix A.1 GET requests, cacheable (RFC 5019
// §6) when the answer was not made for a nonce (ocspheaders.go).
func (s *Server) ocspGet(ctx *fasthttp.RequestCtx, _ *auth.Principal, param []byte) error {
	a := s.pub.OCSPGetWithin(context.Background(), rawOCSPPath(ctx, param), s.opts.WriteTimeout)
	h := &ctx.Response.Header
	h.SetCanonical(hdrContentType, valOCSPResponse)
	if a.NextUpdate.IsZero() || a.Result == publish.OCSPResultUnknown {
		h.SetCanonical(hdrCacheControl, valNoStore)
	} else if s.ocspValidators(ctx, a) {
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return nil
	}
	ctx.Response.SetBodyRaw(a.DER) // shared, never changed once made: no copy
	return nil
}

// answerETag is the entity tag of an answer not from the cache.
func answerETag(der []byte) string {
	sum := sha256.Sum256(der)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

func cacheHeaders(ctx *fasthttp.RequestCtx, etag string, lastModified, expires time.Time, maxAge time.Duration) {
	h := &ctx.Response.Header
	h.Set("ETag", etag)
	// Formatted into buf: the header copies it, nothing is allocated.
	var buf [64]byte
	if !lastModified.IsZero() {
		h.SetBytesV("Last-Modified", fasthttp.AppendHTTPDate(buf[:0], lastModified))
	}
	if !expires.IsZero() {
		h.SetBytesV("Expires", fasthttp.AppendHTTPDate(buf[:0], expires))
	}
	secs := max(int64(maxAge.Seconds()), 0)
	h.SetBytesV("Cache-Control", strconv.AppendInt(append(buf[:0], "public, no-transform, must-revalidate, max-age="...), secs, 10))
}

// notModified evaluates If-None-Match (preferred) and If-Modified-Since.
func notModified(ctx *fasthttp.RequestCtx, etag string, lastModified time.Time) bool {
	if inm := ctx.Request.Header.Peek("If-None-Match"); len(inm) > 0 {
		return etagMatches(string(inm), etag)
	}
	if ims := ctx.Request.Header.Peek("If-Modified-Since"); len(ims) > 0 && !lastModified.IsZero() {
		t, err := http.ParseTime(string(ims))
		return err == nil && !lastModified.Truncate(time.Second).After(t)
	}
	return false
}

func etagMatches(header, etag string) bool {
	if header == "*" {
		return true
	}
	for len(header) > 0 {
		for len(header) > 0 && (header[0] == ' ' || header[0] == ',') {
			header = header[1:]
		}
		end := len(header)
		for i := 0; i < len(header); i++ {
			if header[i] == ',' {
				end = i
				break
			}
		}
		tag := header[:end]
		for len(tag) > 0 && tag[len(tag)-1] == ' ' {
			tag = tag[:len(tag)-1]
		}
		if len(tag) > 2 && tag[:2] == "W/" {
			tag = tag[2:]
		}
		if tag == etag {
			return true
		}
		header = header[end:]
	}
	return false
}

// rawOCSPPath is the request's base64 as the client sent it. The decoded,
// normalised path fasthttp routes on collapses "//" and resolves "/../",
// both of which occur in base64 (RFC 5019 §5 warns of exactly this), so
// the GET request is read from the raw request URI; decoded is the
// fallback when the raw URI does not have the expected shape.
//
// Both are bytes of fasthttp's request, valid while the handler runs:
// nothing is copied.
func rawOCSPPath(ctx *fasthttp.RequestCtx, decoded []byte) []byte {
	raw := ctx.Request.Header.RequestURI()
	if i := bytes.Index(raw, []byte("://")); i >= 0 { // absolute form: scheme://host/path
		j := bytes.IndexByte(raw[i+3:], '/')
		if j < 0 {
			return decoded
		}
		raw = raw[i+3+j:]
	}
	if i := bytes.IndexByte(raw, '?'); i >= 0 {
		raw = raw[:i]
	}
	rest, ok := bytes.CutPrefix(raw, []byte("/ocsp/"))
	if !ok || len(rest) == 0 {
		return decoded
	}
	return rest
}
