package api

import (
	"bytes"
	"fmt"
	"io"

	"github.com/gostca/gostca/api/wire"
	"github.com/valyala/fasthttp"
)

// Request bodies are streamed (fasthttp's StreamRequestBody): the server
// calls the handler once the headers and at most 8 KiB of the body are
// read, so a document upload goes from the connection to docstore's
// temporary file through a small buffer, hashed and counted as it goes,
// and never lies whole in memory. Every other route keeps a body in
// memory as before, read here within the server's limit before any
// handler runs.
//
// Memory per concurrent upload is therefore bounded by fasthttp's read
// buffer, its 8 KiB prefetch and io.Copy's 32 KiB buffer, whatever
// ra.max_document_bytes is.

// bufferBody reads the streamed body of a request that is not an upload
// into memory, refusing it past the body limit (a Content-Length over it
// before reading anything, a chunked body as soon as it passes it). An
// upload's body is left streaming for its handler (raapi.uploadBody).
func (s *Server) bufferBody(ctx *fasthttp.RequestCtx) *wire.Error {
	rs := ctx.RequestBodyStream()
	if rs == nil {
		return nil
	}
	h := &ctx.Request.Header
	up := s.isUpload(h)
	limit := s.opts.MaxBodyBytes
	if up {
		limit = s.uploadLimit()
	}
	cl := h.ContentLength()
	switch {
	case cl > limit:
		ctx.SetConnectionClose()
		return tooLarge(limit)
	case up:
		return nil
	case cl == 0:
		ctx.Request.ResetBody() // no stream left for PostBody to warn about
		return nil
	case cl > 0:
		// A known length within the limit: exactly cl bytes. (Not
		// PostBody: on a stream it logs a warning each time.)
		b := make([]byte, cl)
		if _, err := io.ReadFull(rs, b); err != nil {
			ctx.SetConnectionClose()
			return &wire.Error{Code: wire.CodeBadHTTP, Detail: "the request body could not be read"}
		}
		ctx.Request.SetBodyRaw(b)
		return nil
	}
	// Chunked: read no further than the limit.
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(rs, int64(limit)+1))
	if n > int64(limit) {
		ctx.SetConnectionClose()
		return tooLarge(limit)
	}
	if err != nil {
		ctx.SetConnectionClose()
		return &wire.Error{Code: wire.CodeBadHTTP, Detail: "the request body could not be read"}
	}
	ctx.Request.SetBodyRaw(buf.Bytes())
	return nil
}

func tooLarge(limit int) *wire.Error {
	return &wire.Error{Code: wire.CodeBodyTooLarge, Detail: fmt.Sprintf("request body larger than %d bytes", limit)}
}
