package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/pkix"
)

// DecodeJSON reads a JSON body strictly: application/json, one value, no
// unknown fields. An empty body is allowed when emptyOK (v keeps its zero
// value).
func DecodeJSON(ctx *fasthttp.RequestCtx, v any, emptyOK bool) error {
	body := ctx.PostBody()
	if len(bytes.TrimSpace(body)) == 0 && emptyOK {
		return nil
	}
	ct := string(ctx.Request.Header.ContentType())
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return &Error{Code: CodeUnsupportedMedia, Detail: "send the body as application/json"}
	}
	if len(body) == 0 {
		return &Error{Code: CodeInvalidJSON, Detail: "empty body"}
	}
	if err := CheckDuplicateKeys(body); err != nil {
		var dk *errDuplicateKey
		if errors.As(err, &dk) {
			return &Error{Code: CodeAmbiguous, Field: dk.path, Detail: dk.Error() + " in the JSON body; give each key once"}
		}
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &Error{Code: CodeInvalidJSON, Detail: jsonDetail(err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &Error{Code: CodeInvalidJSON, Detail: "data after the JSON value"}
	}
	return nil
}

// jsonDetail describes a decoding error without echoing the input.
func jsonDetail(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q: wrong type (want %s)", te.Field, te.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "truncated JSON"
	}
	return "not valid JSON"
}

// WriteJSON answers with v as JSON and status.
func WriteJSON(ctx *fasthttp.RequestCtx, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	WriteJSONBody(ctx, status, append(body, '\n')) // a JSON answer ends with a newline, like any text
	return nil
}

// WriteJSONBody answers with body, JSON already encoded and ending in a
// newline, and status, with WriteJSON's headers.
func WriteJSONBody(ctx *fasthttp.RequestCtx, status int, body []byte) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetBody(body)
}

// DecodeCSR accepts PEM or base64 DER (standard or URL alphabet).
func DecodeCSR(s string) ([]byte, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "-----BEGIN") {
		return []byte(s), nil
	}
	t = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, t)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if der, err := enc.DecodeString(t); err == nil && len(der) > 0 {
			return der, nil
		}
	}
	return nil, &caerr.Error{Code: "csr." + pkix.CSRFieldEncoding + ".malformed", Field: "csr", Detail: "csr is neither PEM nor base64 DER"}
}
