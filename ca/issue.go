package ca

import (
	"context"
	"encoding/asn1"
	"strings"
	"time"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/signer"
	"github.com/gostca/gostca/store"
)

// IssueRequest is a certificate to issue: a PKCS#10 request (PEM or DER)
// and subject data that the caller (the registration authority, the
// cabinet back end, an operator) has verified.
type IssueRequest struct {
	// IdempotencyKey makes the call safe to repeat: the same key from the
	// same token returns the first certificate. Up to 100 printable ASCII
	// characters.
	IdempotencyKey     string
	Issuer             string // empty: the default issuing CA
	Profile            string
	CSR                []byte
	Subject            pkix.Subject
	SubjectSignTool    string
	IdentificationKind int
	Emails             []string
	// ExtKeyUsage are purposes (dotted OIDs) asked for beyond the
	// profile's; each must be in the profile's allowed_ext_key_usage.
	ExtKeyUsage []string
	// Centre records the issuance for a service centre (ServiceCentre
	// rules in centre.go): a service_centre caller's own centre is used
	// whatever is given here (naming another is forbidden); a CA operator
	// or administrator may name one; others may not.
	Centre string
	// app is the RA application the certificate completes (raCA only):
	// its "issued" change is committed in the certificate's batch.
	app *store.AppLink
}

// IssueResult is an issued certificate.
type IssueResult struct {
	Cert *store.CertRecord
	// Duplicate: the idempotency key had been used; Cert is the first
	// certificate.
	Duplicate bool
}

// Issue issues a certificate for p.
func (c *CA) Issue(ctx context.Context, p *auth.Principal, req *IssueRequest) (res *IssueResult, err error) {
	start := time.Now()
	defer func() {
		code := "ok"
		if err != nil {
			code = caerr.CodeOf(err)
		}
		c.m.issueDuration.WithLabelValues(code).Observe(time.Since(start).Seconds())
		c.logIssue(p, req, res, err)
	}()
	centre, err := auth.IssueCentre(p, req.Centre)
	if err != nil {
		return nil, err
	}
	if len(req.IdempotencyKey) > 100 || strings.IndexFunc(req.IdempotencyKey, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
		return nil, &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "Idempotency-Key", Detail: "idempotency key: up to 100 printable ASCII characters"}
	}
	requestID := ""
	if req.IdempotencyKey != "" {
		// Keys are per token: two clients cannot collide.
		requestID = p.TokenID + "/" + req.IdempotencyKey
	}
	return c.issue(ctx, p.Actor(), centre, requestID, req)
}

// issue checks req and issues it for actor (the audit identity), recorded
// for centre, idempotent by requestID (empty: not idempotent).
func (c *CA) issue(ctx context.Context, actor, centre, requestID string, req *IssueRequest) (*IssueResult, error) {
	// Every list of the request is bounded before anything is built
	// from it: a 400 that names the list and its limit.
	if err := pkix.CheckListLen("emails", len(req.Emails), pkix.MaxEmails); err != nil {
		return nil, &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "emails", Detail: strings.TrimPrefix(err.Error(), "pkix: "), Err: err}
	}
	issuerID := req.Issuer
	if issuerID == "" {
		issuerID = c.order[0]
	}
	is, ok := c.issuers[issuerID]
	if !ok {
		return nil, c.unknownIssuer(issuerID)
	}
	if req.Profile == "" {
		return nil, &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "profile", Detail: "profile is required"}
	}
	prof, ok := is.Profiles[req.Profile]
	if !ok {
		return nil, unknownProfile(issuerID, req.Profile, is)
	}
	if len(req.CSR) == 0 {
		return nil, &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "csr", Detail: "csr is required"}
	}
	// Names that cannot lie: format characters, look-alikes and
	// mixed-script words are refused, the rest is put in NFC, before the
	// profile's own rules run.
	if err := req.Subject.Normalize(); err != nil {
		return nil, caerr.Classify(err)
	}
	req.Subject.SNILS = pkix.NormalizeSNILS(req.Subject.SNILS)
	if err := req.Subject.Validate(); err != nil {
		return nil, caerr.Classify(err)
	}
	if err := missingSubject(prof, &req.Subject); err != nil {
		return nil, err
	}
	if prof.Qualified && req.SubjectSignTool == "" {
		return nil, &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "subject_sign_tool", Detail: "qualified profiles need the subscriber's crypto tool (subject_sign_tool)"}
	}
	if req.IdentificationKind < 0 || req.IdentificationKind > 3 {
		return nil, &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "identification_kind", Detail: "identification_kind must be 0..3"}
	}
	var eku []asn1.ObjectIdentifier
	for _, o := range req.ExtKeyUsage {
		oid, err := config.ParseOID(o)
		if err != nil {
			return nil, &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "ext_key_usage", Detail: "ext_key_usage: " + err.Error()}
		}
		eku = append(eku, oid)
	}
	if err := c.checkSigningWindow(issuerID, time.Now()); err != nil {
		return nil, err
	}
	subj := req.Subject
	r, err := c.sig.Issue(ctx, &signer.Request{
		RequestID: requestID, IssuerID: issuerID, Profile: req.Profile, CSR: req.CSR, Subject: &subj,
		SubjectSignTool: req.SubjectSignTool, IdentificationKind: pkix.IdentificationKind(req.IdentificationKind),
		Emails: req.Emails, ExtKeyUsage: eku, Actor: actor, Centre: centre, App: req.app,
	})
	if err != nil {
		ce := keyAdvice(caerr.Classify(err), issuerID, prof)
		if caerr.CodeOf(ce) == caerr.CodeInternal {
			c.log.Error("issuance failed", "issuer", issuerID, "profile", req.Profile, "actor", actor, "err", err)
		}
		return nil, ce
	}
	rec := r.Record // as committed: the signer answers once it is durable
	if r.Duplicate && rec.Centre != centre {
		// The same token and key, but for another centre (an operator
		// changed service_centre): not the request that was answered.
		return nil, caerr.New(caerr.CodeIdempotencyConflict, "the idempotency key was used for another service centre", nil)
	}
	switch {
	case r.Duplicate:
		c.pub.Kick() // answered before: pre-signed then, or still due
	case !r.OCSP:
		c.pub.Issued(rec) // its OCSP response, signed without a pass over the due index
	}
	c.hooks.Kick()
	return &IssueResult{Cert: rec, Duplicate: r.Duplicate}, nil
}
