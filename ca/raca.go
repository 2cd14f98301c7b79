package ca

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// raCA is the CA as the registration authority sees it: it implements
// ra.CA on the façade's issuance (the same checks, signer and audit as
// POST /certificates) and certificate store.
//
// Issuance: the RA records "issuing" (step 1), and this call issues with
// the signer's request id set to the RA's idempotency key and the
// application linked (id, version in "issuing", attempt). The link is
// written with the intent, under its MAC, and the certificate's batch —
// the commit's or crash recovery's — also moves the application to
// "issued" with its history event, audit entry and the subscriber's
// notices (outbox.IssuedNotices). If the application is no longer at that
// version in "issuing", the certificate still commits (with an
// "application.issue_stale" entry) and the RA's own step 3, made safe by
// the keyed call, finishes it; that path also completes intents written
// before the link existed.
type raCA struct{ c *CA }

var _ ra.CA = raCA{}

// raRequestPrefix starts the signer request ids of RA issuances. API
// request ids are "<token id>/<key>", and token ids never contain ':',
// so the two cannot collide.
const raRequestPrefix = "ra:"

// Issue implements ra.CA.
func (r raCA) Issue(ctx context.Context, req ra.IssueRequest) (ra.IssuedCert, error) {
	if !strings.HasPrefix(req.IdempotencyKey, raRequestPrefix) || len(req.IdempotencyKey) > 100 {
		return ra.IssuedCert{}, fmt.Errorf("ca: RA issuance: idempotency key %q: want \"ra:…\", at most 100 bytes: %w",
			req.IdempotencyKey, ra.ErrCARefused)
	}
	if !auth.ValidCentreID(req.Centre) {
		return ra.IssuedCert{}, fmt.Errorf("ca: RA issuance: centre: %s: %w", auth.CentreIDRule, ra.ErrCARefused)
	}
	if req.Actor == "" {
		return ra.IssuedCert{}, fmt.Errorf("ca: RA issuance: no actor: %w", ra.ErrCARefused)
	}
	var app *store.AppLink
	if req.Application != "" && req.ApplicationVersion > 0 && req.Attempt > 0 {
		app = &store.AppLink{ID: req.Application, Version: req.ApplicationVersion, Attempt: req.Attempt, Actor: req.Actor}
	}
	res, err := r.c.issue(ctx, req.Actor, req.Centre, req.IdempotencyKey, &IssueRequest{
		Profile: req.Profile, CSR: req.CSR, Subject: req.Subject, SubjectSignTool: req.SubjectSignTool,
		IdentificationKind: int(req.IdentificationKind), Emails: req.Emails, app: app,
	})
	if err == nil {
		return issuedCert(res.Cert), nil
	}
	switch caerr.CodeOf(err) {
	case caerr.CodeIdempotencyConflict:
		// The key was used with another CSR: the key's certificate is the
		// first call's, which is what a repeat must answer.
		rec, lerr := r.c.st.CertificateByRequestID(ctx, req.IdempotencyKey)
		if lerr != nil {
			return ra.IssuedCert{}, fmt.Errorf("ca: RA issuance %s: read the key's certificate: %w", req.IdempotencyKey, lerr)
		}
		return issuedCert(rec), nil
	case caerr.CodeInProgress, caerr.CodeOverloaded, caerr.CodeUnavailable, caerr.CodeInternal:
		// May have issued, or may yet: the RA keeps the application
		// "issuing" and repeats the keyed call.
		return ra.IssuedCert{}, err
	}
	// Everything else is refused before an intent is written (bad CSR,
	// subject or profile, reused key, a lint): nothing was issued for
	// the key, and nothing will be.
	return ra.IssuedCert{}, errors.Join(ra.ErrCARefused, err)
}

func issuedCert(rec *store.CertRecord) ra.IssuedCert {
	return ra.IssuedCert{Serial: rec.Serial, NotAfter: rec.NotAfter}
}

// Certificate implements ra.CA: what identification by a qualified
// certificate compares (its names, SNILS and INN) and whether it is
// valid now.
func (r raCA) Certificate(ctx context.Context, serial []byte) (ra.CertInfo, error) {
	rec, err := r.c.st.Certificate(ctx, serial)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrPending) {
		return ra.CertInfo{}, ra.ErrNoCertificate
	}
	if err != nil {
		return ra.CertInfo{}, fmt.Errorf("ca: certificate %x: %w", serial, err)
	}
	cert, err := pkix.ParseCertificate(rec.DER)
	if err != nil {
		return ra.CertInfo{}, fmt.Errorf("ca: certificate %x: %w", serial, err)
	}
	subj, err := cert.Subject.Subject()
	if err != nil {
		return ra.CertInfo{}, fmt.Errorf("ca: certificate %x subject: %w", serial, err)
	}
	now := time.Now()
	prof, _ := pkix.ProfileByName(rec.Profile)
	return ra.CertInfo{
		Valid:     rec.Status.State == store.Valid && !now.Before(rec.NotBefore) && now.Before(rec.NotAfter),
		Qualified: prof != nil && prof.Qualified,
		Surname:   subj.Surname, GivenName: subj.GivenName, SNILS: subj.SNILS, INN: subj.INN,
	}, nil
}
