package raapi

import (
	"errors"
	"slices"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ra"
)

// appStatus maps the registration authority's stable codes (ra/errors.go)
// onto HTTP statuses; the codes themselves are the problem's "code".
var appStatus = map[ra.Code]int{
	ra.CodeInvalidData:      fasthttp.StatusUnprocessableEntity,
	ra.CodeNotFound:         fasthttp.StatusNotFound,
	ra.CodeDocumentNotFound: fasthttp.StatusNotFound,
	ra.CodeForbidden:        fasthttp.StatusForbidden,
	ra.CodeConflict:         fasthttp.StatusPreconditionFailed,
	ra.CodeVersionRequired:  fasthttp.StatusPreconditionRequired,
	ra.CodeWrongState:       fasthttp.StatusConflict,
	ra.CodeIncomplete:       fasthttp.StatusUnprocessableEntity,
	ra.CodeUnknownType:      fasthttp.StatusUnprocessableEntity,
	ra.CodeUnsupported:      fasthttp.StatusUnprocessableEntity,
	ra.CodeIdentityMismatch: fasthttp.StatusUnprocessableEntity,
	ra.CodeTooEarly:         fasthttp.StatusConflict,
	ra.CodeStaleCheck:       fasthttp.StatusConflict,
	ra.CodeLimit:            fasthttp.StatusConflict,
	ra.CodeIssueRefused:     fasthttp.StatusUnprocessableEntity,
	ra.CodeIssuePending:     fasthttp.StatusServiceUnavailable,
	ra.CodeInternal:         fasthttp.StatusInternalServerError,
}

var appTitles = map[ra.Code]string{
	ra.CodeInvalidData:      "Invalid application data",
	ra.CodeNotFound:         "Application not found",
	ra.CodeDocumentNotFound: "Document not found",
	ra.CodeForbidden:        "Not allowed for this caller",
	ra.CodeConflict:         "Application changed since you read it",
	ra.CodeVersionRequired:  "Version required (If-Match)",
	ra.CodeWrongState:       "Action not allowed in this state",
	ra.CodeIncomplete:       "Application incomplete",
	ra.CodeUnknownType:      "Unknown certificate type",
	ra.CodeUnsupported:      "Identification method not allowed",
	ra.CodeIdentityMismatch: "Identity does not match",
	ra.CodeTooEarly:         "Deadline not reached",
	ra.CodeStaleCheck:       "Stale registry answer",
	ra.CodeLimit:            "Limit reached",
	ra.CodeIssueRefused:     "Issuance refused",
	ra.CodeIssuePending:     "Issuance pending",
	ra.CodeInternal:         "Internal error",
}

// FieldProblem is one invalid field of an application problem.
type FieldProblem struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// AppProblem is the problem document of the application endpoints: a
// Problem (whose fields names every field to correct) with what is wrong
// with each (invalid_params, for invalid_data) or what is missing
// (application_incomplete).
type AppProblem struct {
	wire.Problem
	InvalidParams []FieldProblem `json:"invalid_params,omitempty"`
	Missing       []string       `json:"missing,omitempty"`
}

// Wrap makes h answer the registration authority's errors as problems;
// any other error goes on to wire.Fail.
func (s *API) Wrap(h wire.Handler) wire.Handler {
	return func(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
		err := h(ctx, p, param)
		var re *ra.Error
		if err == nil || !errors.As(err, &re) {
			return err
		}
		s.appProblem(ctx, re)
		return nil
	}
}

func (s *API) appProblem(ctx *fasthttp.RequestCtx, re *ra.Error) {
	status, ok := appStatus[re.Code]
	if !ok {
		status = fasthttp.StatusInternalServerError
	}
	detail := re.Detail
	if re.Code == ra.CodeInternal {
		s.log.Error("application request failed", "path", string(ctx.Path()), "err", re)
		detail = "internal error"
	}
	body := AppProblem{Problem: wire.Problem{Type: wire.ProblemTypeURNPrefix + string(re.Code), Title: appTitles[re.Code],
		Status: status, Detail: detail, Instance: string(ctx.Path()), Code: string(re.Code)}, Missing: re.Missing}
	for _, f := range re.Fields {
		body.InvalidParams = append(body.InvalidParams, FieldProblem(f))
		body.Fields = append(body.Fields, f.Field)
	}
	if len(re.Fields) == 1 {
		body.Field = re.Fields[0].Field
	}
	if re.Code == ra.CodeIssuePending {
		ctx.Response.Header.Set("Retry-After", "1")
	}
	wire.WriteProblemDoc(ctx, status, body)
}

// ProblemCodes lists the registration authority's problem codes this
// group answers with (the OpenAPI document must name each).
func ProblemCodes() []string {
	out := make([]string, 0, len(appStatus))
	for c := range appStatus {
		out = append(out, string(c))
	}
	slices.Sort(out)
	return out
}
