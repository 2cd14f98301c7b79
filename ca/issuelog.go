package ca

import (
	"context"
	"errors"
	"log/slog"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/caerr"
)

// logIssue writes one info line per issuance and per refusal: serial,
// issuer, profile, actor, service centre and, for a refusal, the problem
// code and field. No subject data (names, identifiers) and no request
// content: the audit log and the store hold those. Internal failures are
// logged at error level by Issue itself, with their cause.
func (c *CA) logIssue(p *auth.Principal, req *IssueRequest, res *IssueResult, err error) {
	if !c.log.Enabled(context.Background(), slog.LevelInfo) {
		return // nothing formatted or boxed per issuance at warn and above
	}
	actor := ""
	if p != nil {
		actor = p.Actor()
	}
	if err == nil && res != nil && res.Cert != nil {
		c.log.Info("certificate issued", "serial", FormatSerial(res.Cert.Serial), "issuer", res.Cert.IssuerID,
			"profile", res.Cert.Profile, "actor", actor, "centre", res.Cert.Centre, "replayed", res.Duplicate)
		return
	}
	code := caerr.CodeOf(err)
	if code == caerr.CodeInternal {
		return
	}
	field := ""
	var ce *caerr.Error
	if errors.As(err, &ce) {
		field = ce.Field
	}
	issuer := req.Issuer
	if issuer == "" && len(c.order) > 0 {
		issuer = c.order[0]
	}
	c.log.Info("issuance rejected", "code", code, "field", field, "issuer", issuer, "profile", req.Profile, "actor", actor)
}
