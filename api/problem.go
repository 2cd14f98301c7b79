package api

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/caerr"
)

// Codes of the HTTP layer itself; the CA's are in caerr/errors.go.
const (
	codeNotFound          = "not_found"
	codeMethodNotAllowed  = "method_not_allowed"
	codeUnauthorized      = "unauthorized"
	codeBodyTooLarge      = "body_too_large"
	codeUnsupportedMedia  = "unsupported_media_type"
	codeInvalidJSON       = "invalid_json"
	codeBadHTTP           = "bad_http_request"
	codeNotReady          = "not_ready"
	codeInvalidQuery      = "invalid_query"
	codeNotAcceptable     = "not_acceptable"
	problemContentType    = "application/problem+json"
	problemTypeURNPrefix  = "urn:gostca:problem:"
	csrCodePrefix         = "csr."
	csrProblemHTTPStatus  = fasthttp.StatusUnprocessableEntity
	defaultProblemStatus  = fasthttp.StatusInternalServerError
	retryAfterDefaultSecs = 1
)

// statusOf maps a stable code onto an HTTP status.
var statusOf = map[string]int{
	codeNotFound:                  fasthttp.StatusNotFound,
	codeMethodNotAllowed:          fasthttp.StatusMethodNotAllowed,
	codeUnauthorized:              fasthttp.StatusUnauthorized,
	caerr.CodeForbidden:           fasthttp.StatusForbidden,
	codeBodyTooLarge:              fasthttp.StatusRequestEntityTooLarge,
	codeUnsupportedMedia:          fasthttp.StatusUnsupportedMediaType,
	codeInvalidJSON:               fasthttp.StatusBadRequest,
	codeBadHTTP:                   fasthttp.StatusBadRequest,
	codeNotReady:                  fasthttp.StatusServiceUnavailable,
	codeInvalidQuery:              fasthttp.StatusBadRequest,
	codeNotAcceptable:             fasthttp.StatusNotAcceptable,
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
	codeNotFound:                  "Not found",
	codeMethodNotAllowed:          "Method not allowed",
	codeUnauthorized:              "Authentication required",
	caerr.CodeForbidden:           "Not allowed for this caller",
	codeBodyTooLarge:              "Request body too large",
	codeUnsupportedMedia:          "Unsupported content type",
	codeInvalidJSON:               "Invalid JSON",
	codeBadHTTP:                   "Bad HTTP request",
	codeNotReady:                  "Not ready",
	codeInvalidQuery:              "Invalid query parameter",
	codeNotAcceptable:             "Unsupported format",
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

// problemErr is an error of the HTTP layer with its code.
type problemErr struct {
	code   string
	detail string
	field  string
	fields []string
}

func (p *problemErr) Error() string { return p.code + ": " + p.detail }

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

// fail writes err as a problem; internal errors are logged, not shown.
func (s *Server) fail(ctx *fasthttp.RequestCtx, err error) {
	var pe *problemErr
	if errors.As(err, &pe) {
		s.problem(ctx, pe)
		return
	}
	var ee *caerr.Error
	if !errors.As(err, &ee) {
		ee = &caerr.Error{Code: caerr.CodeInternal, Err: err}
	}
	if ee.Code == caerr.CodeInternal || ee.Code == caerr.CodeUnavailable {
		s.log.Error("request failed", "path", string(ctx.Path()), "code", ee.Code, "err", err)
		ee = &caerr.Error{Code: ee.Code, Detail: titles[ee.Code]}
	}
	if ee.Code == caerr.CodeOverloaded {
		secs := int(ee.RetryAfter.Seconds() + 0.999)
		if secs < 1 {
			secs = retryAfterDefaultSecs
		}
		ctx.Response.Header.Set("Retry-After", strconv.Itoa(secs))
	}
	s.problem(ctx, &problemErr{code: ee.Code, detail: ee.Detail, field: ee.Field, fields: ee.Fields})
}

func (s *Server) problem(ctx *fasthttp.RequestCtx, pe *problemErr) {
	status, ok := statusOf[pe.code]
	title := titles[pe.code]
	if strings.HasPrefix(pe.code, csrCodePrefix) {
		status, ok, title = csrProblemHTTPStatus, true, "Invalid certificate request"
	}
	if !ok {
		status, title = defaultProblemStatus, "Internal error"
	}
	body, _ := json.Marshal(Problem{
		Type: problemTypeURNPrefix + pe.code, Title: title, Status: status, Detail: pe.detail,
		Instance: string(ctx.Path()), Code: pe.code, Field: pe.field, Fields: pe.fields,
	})
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetStatusCode(status)
	ctx.SetContentType(problemContentType)
	ctx.SetBody(append(body, '\n'))
}
