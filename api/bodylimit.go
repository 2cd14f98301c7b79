package api

import (
	"bytes"

	"github.com/valyala/fasthttp"
)

// The document upload route (api/raapi/documents.go) takes bodies up to
// ra.max_document_bytes; every other request keeps the server's smaller
// limit (Options.MaxBodyBytes).

// uploadRoute is the name of the upload route (routes_ra.go).
const uploadRoute = "application_documents"

// uploadSlack is what the upload route's body limit allows past
// ra.max_document_bytes, so that a body just over the limit is refused
// by docstore with its own message rather than cut by the transport.
const uploadSlack = 64 << 10

// uploadLimit is the upload route's own body limit.
func (s *Server) uploadLimit() int {
	return max(s.e.Config().RA.MaxDocumentBytes+uploadSlack, s.opts.MaxBodyBytes)
}

// requestConfig gives the upload route its own body limit (the server's
// default is smaller); every other request keeps the default.
func (s *Server) requestConfig(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	if h.ContentLength() > s.bodyLimit(h) {
		// Refused by bufferBody (bodystream.go) once one byte is read.
		return fasthttp.RequestConfig{MaxRequestBodySize: 1}
	}
	if s.isUpload(h) {
		return fasthttp.RequestConfig{MaxRequestBodySize: s.uploadLimit()}
	}
	return fasthttp.RequestConfig{}
}

// isUpload reports a POST to the documents route.
func (s *Server) isUpload(h *fasthttp.RequestHeader) bool {
	if string(h.Method()) != "POST" {
		return false
	}
	path := h.RequestURI()
	if i := bytes.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	r, _ := s.routes.match(path)
	return r != nil && r.name == uploadRoute
}

// bodyLimit is the body limit of the request whose header is h.
func (s *Server) bodyLimit(h *fasthttp.RequestHeader) int {
	if s.isUpload(h) {
		return s.uploadLimit()
	}
	return s.opts.MaxBodyBytes
}
