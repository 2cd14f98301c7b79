package raapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
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
	wire.Register(codeUnsupportedDocument, fasthttp.StatusUnsupportedMediaType, "Unsupported document type")
	wire.Register(codeInvalidDocument, fasthttp.StatusUnprocessableEntity, "Invalid document")
}

// DocumentInfix separates the application and document ids in
// /api/v1/applications/{id}/documents/{doc}.
const DocumentInfix = "/documents/"

// uploadApplicationDocument serves POST …/documents?type=T: the body is
// the file itself.
func (s *API) UploadApplicationDocument(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
	version, err := ifMatch(ctx)
	if err != nil {
		return err
	}
	typ := string(ctx.QueryArgs().Peek("type"))
	if !slices.Contains(appdata.DocumentTypes, typ) {
		return invalidField("type", "the query parameter type: one of "+strings.Join(appdata.DocumentTypes, ", "))
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
	var extra docstore.Extra
	if typ == appdata.DocMCHD { // the МЧД's XML and its detached signature
		extra = docstore.AcceptXML | docstore.AcceptCMS
	}
	st, err := s.e.Documents().PutExtra(c, uploadBody(ctx), limit, extra)
	if err != nil {
		return documentProblem(err)
	}
	a, err = s.e.RA().AddDocument(c, appActor(p), string(id), version,
		ra.DocumentInput{Type: typ, SHA256: st.SHA256, Size: st.Size, ContentType: st.ContentType})
	if err != nil {
		return err
	}
	ctx.Response.Header.Set("Location", "/api/v1/applications/"+a.ID+DocumentInfix+a.Documents[len(a.Documents)-1].ID)
	return writeApplication(ctx, fasthttp.StatusCreated, a)
}

// documentProblem maps docstore's refusals onto problems; their messages
// name limits and types only, never content.
func documentProblem(err error) error {
	detail := strings.TrimPrefix(err.Error(), "docstore: ")
	switch {
	case errors.Is(err, docstore.ErrTooLarge):
		return &wire.Error{Code: wire.CodeBodyTooLarge, Detail: detail}
	case errors.Is(err, docstore.ErrUnsupportedType):
		return &wire.Error{Code: codeUnsupportedDocument, Detail: detail}
	case errors.Is(err, docstore.ErrMalformed), errors.Is(err, docstore.ErrTooManyPixels), errors.Is(err, docstore.ErrEmpty):
		return &wire.Error{Code: codeInvalidDocument, Detail: detail}
	}
	return fmt.Errorf("storing a document: %w", err)
}

// downloadApplicationDocument serves GET …/documents/{doc}: the bytes as
// stored, with the detected type, as an attachment the browser must not
// sniff.
func (s *API) DownloadApplicationDocument(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
	id, docID, _ := wire.SplitPair(param, DocumentInfix)
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
	case docstore.TypeXML:
		return ".xml"
	case docstore.TypeCMS:
		return ".p7s"
	}
	if ext, ok := strings.CutPrefix(contentType, "image/"); ok {
		return "." + ext
	}
	return ""
}

// uploadBody is the body of an upload: the connection's stream when the
// server streams bodies, the buffered body otherwise (a handler called
// directly, as in tests).
func uploadBody(ctx *fasthttp.RequestCtx) io.Reader {
	if rs := ctx.RequestBodyStream(); rs != nil {
		return rs
	}
	return bytes.NewReader(ctx.PostBody())
}
