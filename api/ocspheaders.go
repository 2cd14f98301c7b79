package api

import (
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/publish"
)

// The headers of an OCSP answer, set on every request of the responder's
// hot path: the names are canonical already (SetCanonical skips
// normalising them), and an answer from the cache brings its validators
// formatted (publish.OCSPHTTP), so that a cached answer costs no date
// formatting or hashing.
var (
	hdrETag          = []byte("ETag")
	hdrLastModified  = []byte("Last-Modified")
	hdrExpires       = []byte("Expires")
	hdrCacheControl  = []byte("Cache-Control")
	hdrContentType   = []byte("Content-Type")
	hdrNoSniff       = []byte("X-Content-Type-Options")
	valNoSniff       = []byte("nosniff")
	valNoStore       = []byte("no-store")
	valOCSPResponse  = []byte("application/ocsp-response")
	cacheControlHead = "public, no-transform, must-revalidate, max-age="
)

// ocspCacheControl is the Cache-Control of a cacheable OCSP answer with
// max-age secs.
func ocspCacheControl(secs int64) []byte {
	return strconv.AppendInt([]byte(cacheControlHead), max(secs, 0), 10)
}

// ocspValidators sets the cache headers of a cacheable answer a (ETag,
// Last-Modified, Expires, Cache-Control) and reports whether the request
// is conditional and a's validators match it (a 304).
func (s *Server) ocspValidators(ctx *fasthttp.RequestCtx, a *publish.OCSPAnswer) bool {
	h := &ctx.Response.Header
	// Bounded by ocsp.max_age: a cache must come back soon, or it
	// serves "good" long after a revocation.
	until := time.Until(a.NextUpdate)
	if until >= s.ocspMaxAge {
		h.SetCanonical(hdrCacheControl, s.ocspCC)
	} else {
		var buf [64]byte
		h.SetCanonical(hdrCacheControl, strconv.AppendInt(append(buf[:0], cacheControlHead...), max(int64(until.Seconds()), 0), 10))
	}
	v := a.HTTP
	if v == nil {
		var buf [64]byte
		etag := a.ETag
		if etag == "" {
			etag = answerETag(a.DER)
		}
		h.Set("ETag", etag)
		h.SetCanonical(hdrLastModified, fasthttp.AppendHTTPDate(buf[:0], a.ThisUpdate))
		h.SetCanonical(hdrExpires, fasthttp.AppendHTTPDate(buf[:0], a.NextUpdate))
		return notModified(ctx, etag, a.ThisUpdate)
	}
	h.SetCanonical(hdrETag, v.ETag)
	h.SetCanonical(hdrLastModified, v.LastModified)
	h.SetCanonical(hdrExpires, v.Expires)
	return notModified(ctx, a.ETag, a.ThisUpdate)
}
