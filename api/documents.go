package api

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// Document upload and download. The bytes go to the CA's document store
// (package docstore, content-addressed files outside Pebble) first and the
// metadata through ra.AddDocument after, so metadata never points at a
// file that is not durable. The type is what docstore detects from the
// content; the file name and the declared Content-Type are ignored.

// Codes of refused uploads.
const (
	codeUnsupportedDocument = "unsupported_document_type" // 415: none of the accepted types
	codeInvalidDocument     = "invalid_document"          // 422: malformed header, too many pixels, empty
)

func init() {
	statusOf[codeUnsupportedDocument] = fasthttp.StatusUnsupportedMediaType
	statusOf[codeInvalidDocument] = fasthttp.StatusUnprocessableEntity
	titles[codeUnsupportedDocument] = "Unsupported document type"
	titles[codeInvalidDocument] = "Invalid document"
}

// uploadSlack is what the upload route's body limit allows past
// ra.max_document_bytes, so that a body just over the limit is refused
// by docstore with its own message rather than cut by the transport.
const uploadSlack = 64 << 10

// documentInfix separates the application and document ids in
// /api/v1/applications/{id}/documents/{doc}.
const documentInfix = "/documents/"

// documentRoutes are the routes of the documents and the printed form.
func (s *Server) documentRoutes(v1 string) []*route {
	h := s.appHandler
	dl := newRoute("application_document", v1+"applications/", segmentPair, "",
		on{mGet, h(s.downloadApplicationDocument), auth.OpAppRead})
	dl.infix = documentInfix
	return []*route{
		newRoute("application_documents", v1+"applications/", segment, "/documents", on{mPost, h(s.uploadApplicationDocument), auth.OpAppEdit}),
		dl,
		newRoute("application_form", v1+"applications/", segment, "/form.pdf", on{mGet, h(s.applicationForm), auth.OpAppRead}),
		s.archiveRoute(v1), // archive.go
	}
}

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
	return r != nil && r.name == "application_documents"
}

// bodyLimit is the body limit of the request whose header is h.
func (s *Server) bodyLimit(h *fasthttp.RequestHeader) int {
	if s.isUpload(h) {
		return s.uploadLimit()
	}
	return s.opts.MaxBodyBytes
}

// uploadApplicationDocument serves POST …/documents?type=T: the body is
// the file itself.
func (s *Server) uploadApplicationDocument(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
	version, err := ifMatch(ctx)
	if err != nil {
		return err
	}
	typ := string(ctx.QueryArgs().Peek("type"))
	if !slices.Contains(ra.DocumentTypes, typ) {
		return invalidField("type", "the query parameter type: one of "+strings.Join(ra.DocumentTypes, ", "))
	}
	c, cancel := s.callCtx()
	defer cancel()
	// Refuse what would be refused anyway before storing anything: an
	// unknown or foreign application, a missing or stale version.
	a, err := s.e.RA().Get(c, appActor(p), string(id))
	if err != nil {
		return err
	}
	if version == 0 {
		return &ra.Error{Code: ra.CodeVersionRequired, Detail: "give the version of the application you decided on (If-Match)"}
	}
	if a.Version != version {
		return &ra.Error{Code: ra.CodeConflict, Detail: fmt.Sprintf("the application is at version %d, you saw %d: read it again", a.Version, version)}
	}
	limit := int64(s.e.Config().RA.MaxDocumentBytes)
	st, err := s.e.Documents().Put(c, uploadBody(ctx), limit)
	if err != nil {
		return documentProblem(err)
	}
	a, err = s.e.RA().AddDocument(c, appActor(p), string(id), version,
		ra.DocumentInput{Type: typ, SHA256: st.SHA256, Size: st.Size, ContentType: st.ContentType})
	if err != nil {
		return err
	}
	ctx.Response.Header.Set("Location", "/api/v1/applications/"+a.ID+documentInfix+a.Documents[len(a.Documents)-1].ID)
	return writeApplication(ctx, fasthttp.StatusCreated, a)
}

// documentProblem maps docstore's refusals onto problems; their messages
// name limits and types only, never content.
func documentProblem(err error) error {
	detail := strings.TrimPrefix(err.Error(), "docstore: ")
	switch {
	case errors.Is(err, docstore.ErrTooLarge):
		return &problemErr{code: codeBodyTooLarge, detail: detail}
	case errors.Is(err, docstore.ErrUnsupportedType):
		return &problemErr{code: codeUnsupportedDocument, detail: detail}
	case errors.Is(err, docstore.ErrMalformed), errors.Is(err, docstore.ErrTooManyPixels), errors.Is(err, docstore.ErrEmpty):
		return &problemErr{code: codeInvalidDocument, detail: detail}
	}
	return fmt.Errorf("storing a document: %w", err)
}

// downloadApplicationDocument serves GET …/documents/{doc}: the bytes as
// stored, with the detected type, as an attachment the browser must not
// sniff.
func (s *Server) downloadApplicationDocument(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
	id, docID, _ := splitPair(param, documentInfix)
	c, cancel := s.callCtx()
	defer cancel()
	a, err := s.e.RA().Get(c, appActor(p), string(id))
	if err != nil {
		return err
	}
	i := slices.IndexFunc(a.Documents, func(d store.Document) bool { return d.ID == string(docID) })
	if i < 0 {
		return &ra.Error{Code: ra.CodeDocumentNotFound, Detail: "the application has no such document"}
	}
	d := a.Documents[i]
	f, err := s.e.Documents().Open(d.SHA256)
	if err != nil {
		return fmt.Errorf("application %s document %s: %w", a.ID, d.ID, err)
	}
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType(d.ContentType)
	ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")
	ctx.Response.Header.Set("Content-Disposition", `attachment; filename="`+d.ID+extension(d.ContentType)+`"`)
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.Response.Header.Set("ETag", `"`+fmt.Sprintf("%x", d.SHA256)+`"`)
	ctx.SetBodyStream(f, int(d.Size)) // fasthttp closes f
	return nil
}

// extension is the file name extension of a detected type.
func extension(contentType string) string {
	switch contentType {
	case docstore.TypeJPEG:
		return ".jpg"
	case docstore.TypePDF:
		return ".pdf"
	}
	if ext, ok := strings.CutPrefix(contentType, "image/"); ok {
		return "." + ext
	}
	return ""
}
