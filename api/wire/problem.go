package wire

import (
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/caerr"
)

// Codes of the HTTP layer itself; the CA's are in caerr/errors.go.
const (
	CodeNotFound          = "not_found"
	CodeMethodNotAllowed  = "method_not_allowed"
	CodeUnauthorized      = "unauthorized"
	CodeBodyTooLarge      = "body_too_large"
	CodeUnsupportedMedia  = "unsupported_media_type"
	CodeInvalidJSON       = "invalid_json"
	CodeBadHTTP           = "bad_http_request"
	CodeNotReady          = "not_ready"
	CodeInvalidQuery      = "invalid_query"
	CodeNotAcceptable     = "not_acceptable"
	ProblemContentType    = "application/problem+json"
	ProblemTypeURNPrefix  = "urn:gostca:problem:"
	csrCodePrefix         = "csr."
	csrProblemHTTPStatus  = fasthttp.StatusUnprocessableEntity
	defaultProblemStatus  = fasthttp.StatusInternalServerError
	retryAfterDefaultSecs = 1
)

// statusOf maps a stable code onto an HTTP status.
var statusOf = map[string]int{
	CodeNotFound:                  fasthttp.StatusNotFound,
	CodeMethodNotAllowed:          fasthttp.StatusMethodNotAllowed,
	CodeUnauthorized:              fasthttp.StatusUnauthorized,
	caerr.CodeForbidden:           fasthttp.StatusForbidden,
	CodeBodyTooLarge:              fasthttp.StatusRequestEntityTooLarge,
	CodeUnsupportedMedia:          fasthttp.StatusUnsupportedMediaType,
	CodeInvalidJSON:               fasthttp.StatusBadRequest,
	CodeBadHTTP:                   fasthttp.StatusBadRequest,
	CodeNotReady:                  fasthttp.StatusServiceUnavailable,
	CodeInvalidQuery:              fasthttp.StatusBadRequest,
	CodeNotAcceptable:             fasthttp.StatusNotAcceptable,
	caerr.CodeInvalidRequest:      fasthttp.StatusBadRequest,
	caerr.CodeInvalidSerial:       fasthttp.StatusBadRequest,
	caerr.CodeInvalidReason:       fasthttp.StatusBadRequest,
	caerr.CodeInvalidTokenRequest: fasthttp.StatusBadRequest,
	caerr.CodeUnknownProfile:      fasthttp.StatusUnprocessableEntity,
	caerr.CodeUnknownIssuer:       fasthttp.StatusUnprocessableEntity,
	caerr.CodeSubjectInvalid:      fasthttp.StatusUnprocessableEntity,
	caerr.CodeProfileViolation:    fasthttp.StatusUnprocessableEntity,
	caerr.CodeKeyReused:           fasthttp.StatusConflict,
	caerr.CodeIdempotencyConflict: fasthttp.StatusUnprocessableEntity,
	caerr.CodeInProgress:          fasthttp.StatusConflict,
	caerr.CodeCertificateNotFound: fasthttp.StatusNotFound,
	caerr.CodeCertificatePending:  fasthttp.StatusConflict,
	caerr.CodeInvalidTransition:   fasthttp.StatusConflict,
	caerr.CodeTokenNotFound:       fasthttp.StatusNotFound,
	caerr.CodeIssuerNotFound:      fasthttp.StatusNotFound,
	caerr.CodeCRLNotFound:         fasthttp.StatusNotFound,
	caerr.CodeOverloaded:          fasthttp.StatusServiceUnavailable,
	caerr.CodeUnavailable:         fasthttp.StatusServiceUnavailable,
	caerr.CodeInternal:            fasthttp.StatusInternalServerError,
	caerr.CodeExtKeyUsage:         fasthttp.StatusBadRequest,
	caerr.CodeIssuerKeyExpired:    fasthttp.StatusConflict,
	caerr.CodeIssuerKeyNotYet:     fasthttp.StatusConflict,
	caerr.CodeRootCRLRefused:      fasthttp.StatusUnprocessableEntity,
}

// titles are the short, fixed summaries of each code.
var titles = map[string]string{
	CodeNotFound:                  "Not found",
	CodeMethodNotAllowed:          "Method not allowed",
	CodeUnauthorized:              "Authentication required",
	caerr.CodeForbidden:           "Not allowed for this caller",
	CodeBodyTooLarge:              "Request body too large",
	CodeUnsupportedMedia:          "Unsupported content type",
	CodeInvalidJSON:               "Invalid JSON",
	CodeBadHTTP:                   "Bad HTTP request",
	CodeNotReady:                  "Not ready",
	CodeInvalidQuery:              "Invalid query parameter",
	CodeNotAcceptable:             "Unsupported format",
	caerr.CodeInvalidRequest:      "Invalid request",
	caerr.CodeInvalidSerial:       "Invalid serial number",
	caerr.CodeInvalidReason:       "Invalid reason",
	caerr.CodeInvalidTokenRequest: "Invalid token request",
	caerr.CodeUnknownProfile:      "Unknown profile",
	caerr.CodeUnknownIssuer:       "Unknown issuer",
	caerr.CodeSubjectInvalid:      "Invalid subject data",
	caerr.CodeProfileViolation:    "Certificate would break its profile",
	caerr.CodeKeyReused:           "Public key already certified",
	caerr.CodeIdempotencyConflict: "Idempotency key reused",
	caerr.CodeInProgress:          "Request in progress",
	caerr.CodeCertificateNotFound: "Certificate not found",
	caerr.CodeCertificatePending:  "Certificate being issued",
	caerr.CodeInvalidTransition:   "Status change not allowed",
	caerr.CodeTokenNotFound:       "Token not found",
	caerr.CodeIssuerNotFound:      "Issuer not found",
	caerr.CodeCRLNotFound:         "CRL not found",
	caerr.CodeOverloaded:          "Overloaded",
	caerr.CodeUnavailable:         "Unavailable",
	caerr.CodeInternal:            "Internal error",
	caerr.CodeExtKeyUsage:         "Extended key usage not allowed",
	caerr.CodeIssuerKeyExpired:    "Issuing CA key may no longer sign certificates",
	caerr.CodeIssuerKeyNotYet:     "Issuing CA key may not sign certificates yet",
	caerr.CodeRootCRLRefused:      "Root CRL refused",
}

// Error is an error of the HTTP layer with its code; handlers return it
// and Fail writes it as a problem as it is.
type Error struct {
	Code   string
	Detail string
	Field  string
	Fields []string
}

func (p *Error) Error() string { return p.Code + ": " + p.Detail }

// Register adds a code of an endpoint group with its HTTP status and
// title (call it from an init function).
func Register(code string, status int, title string) {
	statusOf[code], titles[code] = status, title
}

// Codes lists every code Register and this package know, sorted.
func Codes() []string {
	out := make([]string, 0, len(statusOf))
	for c := range statusOf {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Problem is the RFC 9457 body. Code is the stable member clients match.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	// Fields lists every request field to supply or fix when there are
	// several (the subject attributes a profile requires).
	Fields []string `json:"fields,omitempty"`
}

// Fail writes err as a problem; internal errors are logged on log, not
// shown.
func Fail(ctx *fasthttp.RequestCtx, log *slog.Logger, err error) {
	var pe *Error
	if errors.As(err, &pe) {
		WriteProblem(ctx, pe)
		return
	}
	var ee *caerr.Error
	if !errors.As(err, &ee) {
		ee = &caerr.Error{Code: caerr.CodeInternal, Err: err}
	}
	if ee.Code == caerr.CodeInternal || ee.Code == caerr.CodeUnavailable {
		log.Error("request failed", "path", string(ctx.Path()), "code", ee.Code, "err", err)
		ee = &caerr.Error{Code: ee.Code, Detail: titles[ee.Code]}
	}
	if ee.Code == caerr.CodeOverloaded {
		secs := int(ee.RetryAfter.Seconds() + 0.999)
		if secs < 1 {
			secs = retryAfterDefaultSecs
		}
		ctx.Response.Header.Set("Retry-After", strconv.Itoa(secs))
	}
	WriteProblem(ctx, &Error{Code: ee.Code, Detail: ee.Detail, Field: ee.Field, Fields: ee.Fields})
}

// WriteProblem writes pe as the response: its status, problem+json.
func WriteProblem(ctx *fasthttp.RequestCtx, pe *Error) {
	status, ok := statusOf[pe.Code]
	title := titles[pe.Code]
	if strings.HasPrefix(pe.Code, csrCodePrefix) {
		status, ok, title = csrProblemHTTPStatus, true, "Invalid certificate request"
	}
	if !ok {
		status, title = defaultProblemStatus, "Internal error"
	}
	WriteProblemDoc(ctx, status, Problem{
		Type: ProblemTypeURNPrefix + pe.Code, Title: title, Status: status, Detail: pe.Detail,
		Instance: string(ctx.Path()), Code: pe.Code, Field: pe.Field, Fields: pe.Fields,
	})
}

// WriteProblemDoc answers with status and doc as problem+json: a Problem,
// or a group's document that embeds one and adds members.
func WriteProblemDoc(ctx *fasthttp.RequestCtx, status int, doc any) {
	body, _ := json.Marshal(doc)
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetStatusCode(status)
	ctx.SetContentType(ProblemContentType)
	ctx.SetBody(append(body, '\n'))
}
