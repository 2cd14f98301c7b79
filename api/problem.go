package api

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/engine"
)

// Codes of the HTTP layer itself; the engine's are in engine/errors.go.
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
	codeNotFound:                   fasthttp.StatusNotFound,
	codeMethodNotAllowed:           fasthttp.StatusMethodNotAllowed,
	codeUnauthorized:               fasthttp.StatusUnauthorized,
	engine.CodeForbidden:           fasthttp.StatusForbidden,
	codeBodyTooLarge:               fasthttp.StatusRequestEntityTooLarge,
	codeUnsupportedMedia:           fasthttp.StatusUnsupportedMediaType,
	codeInvalidJSON:                fasthttp.StatusBadRequest,
	codeBadHTTP:                    fasthttp.StatusBadRequest,
	codeNotReady:                   fasthttp.StatusServiceUnavailable,
	codeInvalidQuery:               fasthttp.StatusBadRequest,
	codeNotAcceptable:              fasthttp.StatusNotAcceptable,
	engine.CodeInvalidRequest:      fasthttp.StatusBadRequest,
	engine.CodeInvalidSerial:       fasthttp.StatusBadRequest,
	engine.CodeInvalidReason:       fasthttp.StatusBadRequest,
	engine.CodeInvalidTokenRequest: fasthttp.StatusBadRequest,
	engine.CodeUnknownProfile:      fasthttp.StatusUnprocessableEntity,
	engine.CodeUnknownIssuer:       fasthttp.StatusUnprocessableEntity,
	engine.CodeSubjectInvalid:      fasthttp.StatusUnprocessableEntity,
	engine.CodeProfileViolation:    fasthttp.StatusUnprocessableEntity,
	engine.CodeKeyReused:           fasthttp.StatusConflict,
	engine.CodeIdempotencyConflict: fasthttp.StatusUnprocessableEntity,
	engine.CodeInProgress:          fasthttp.StatusConflict,
	engine.CodeCertificateNotFound: fasthttp.StatusNotFound,
	engine.CodeCertificatePending:  fasthttp.StatusConflict,
	engine.CodeInvalidTransition:   fasthttp.StatusConflict,
	engine.CodeTokenNotFound:       fasthttp.StatusNotFound,
	engine.CodeIssuerNotFound:      fasthttp.StatusNotFound,
	engine.CodeCRLNotFound:         fasthttp.StatusNotFound,
	engine.CodeOverloaded:          fasthttp.StatusServiceUnavailable,
	engine.CodeUnavailable:         fasthttp.StatusServiceUnavailable,
	engine.CodeInternal:            fasthttp.StatusInternalServerError,
}

// titles are the short, fixed summaries of each code.
var titles = map[string]string{
	codeNotFound:                   "Not found",
	codeMethodNotAllowed:           "Method not allowed",
	codeUnauthorized:               "Authentication required",
	engine.CodeForbidden:           "Not allowed for this caller",
	codeBodyTooLarge:               "Request body too large",
	codeUnsupportedMedia:           "Unsupported content type",
	codeInvalidJSON:                "Invalid JSON",
	codeBadHTTP:                    "Bad HTTP request",
	codeNotReady:                   "Not ready",
	codeInvalidQuery:               "Invalid query parameter",
	codeNotAcceptable:              "Unsupported format",
	engine.CodeInvalidRequest:      "Invalid request",
	engine.CodeInvalidSerial:       "Invalid serial number",
	engine.CodeInvalidReason:       "Invalid reason",
	engine.CodeInvalidTokenRequest: "Invalid token request",
	engine.CodeUnknownProfile:      "Unknown profile",
	engine.CodeUnknownIssuer:       "Unknown issuer",
	engine.CodeSubjectInvalid:      "Invalid subject data",
	engine.CodeProfileViolation:    "Certificate would break its profile",
	engine.CodeKeyReused:           "Public key already certified",
	engine.CodeIdempotencyConflict: "Idempotency key reused",
	engine.CodeInProgress:          "Request in progress",
	engine.CodeCertificateNotFound: "Certificate not found",
	engine.CodeCertificatePending:  "Certificate being issued",
	engine.CodeInvalidTransition:   "Status change not allowed",
	engine.CodeTokenNotFound:       "Token not found",
	engine.CodeIssuerNotFound:      "Issuer not found",
	engine.CodeCRLNotFound:         "CRL not found",
	engine.CodeOverloaded:          "Overloaded",
	engine.CodeUnavailable:         "Unavailable",
	engine.CodeInternal:            "Internal error",
}

// problemErr is an error of the HTTP layer with its code.
type problemErr struct {
	code   string
	detail string
	field  string
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
}

// fail writes err as a problem; internal errors are logged, not shown.
func (s *Server) fail(ctx *fasthttp.RequestCtx, err error) {
	var pe *problemErr
	if errors.As(err, &pe) {
		s.problem(ctx, pe)
		return
	}
	var ee *engine.Error
	if !errors.As(err, &ee) {
		ee = &engine.Error{Code: engine.CodeInternal, Err: err}
	}
	if ee.Code == engine.CodeInternal || ee.Code == engine.CodeUnavailable {
		s.log.Error("request failed", "path", string(ctx.Path()), "code", ee.Code, "err", err)
		ee = &engine.Error{Code: ee.Code, Detail: titles[ee.Code]}
	}
	if ee.Code == engine.CodeOverloaded {
		secs := int(ee.RetryAfter.Seconds() + 0.999)
		if secs < 1 {
			secs = retryAfterDefaultSecs
		}
		ctx.Response.Header.Set("Retry-After", strconv.Itoa(secs))
	}
	s.problem(ctx, &problemErr{code: ee.Code, detail: ee.Detail, field: ee.Field})
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
		Instance: string(ctx.Path()), Code: pe.code, Field: pe.field,
	})
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetStatusCode(status)
	ctx.SetContentType(problemContentType)
	ctx.SetBody(body)
}
