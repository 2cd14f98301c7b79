package ra

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/outbox"
	"github.com/gostca/gostca/store"
)

// CA is the certificate authority façade the registration authority
// issues through; ra never signs. The engine provides the real one.
//
// Issue must:
//   - issue under req.Profile, with req.Subject exactly as given (ra has
//     validated it; the façade re-validates, it does not reformat), the
//     subscriber's key from req.CSR after checking its proof of
//     possession, req.SubjectSignTool and req.IdentificationKind;
//   - be idempotent by req.IdempotencyKey: a repeated key returns the
//     certificate of the first call (ra repeats a call whose outcome it
//     does not know);
//   - wrap a definitive refusal, after which nothing was or will be
//     issued for the key (malformed CSR, key already certified, a lint
//     failure), with ErrCARefused; any other error means "may have
//     issued";
//   - record req.Centre and req.Actor with the certificate and its audit
//     entry, and register it in ESIA (the outbox row of the issuance).
//
// Certificate returns what identification by a qualified certificate
// needs (ErrNoCertificate when the serial is unknown).
type CA interface {
	Issue(ctx context.Context, req IssueRequest) (IssuedCert, error)
	Certificate(ctx context.Context, serial []byte) (CertInfo, error)
}

// Errors a CA returns.
var (
	ErrCARefused     = errors.New("ra: the CA refused the request")
	ErrNoCertificate = errors.New("ra: no such certificate")
)

// IssueRequest is one issuance through the CA façade.
type IssueRequest struct {
	IdempotencyKey     string // "ra:<application id>:<attempt>"
	Application        string
	Profile            string // pkix certificate profile
	CSR                []byte // PKCS#10, PEM or DER
	Subject            pkix.Subject
	SubjectSignTool    string
	IdentificationKind pkix.IdentificationKind
	Emails             []string
	Centre             string
	Replaces           []byte // the certificate being renewed, if any
	Actor              string // audit identity of the caller

	// ApplicationVersion and Attempt link the certificate to the
	// application in "issuing" (its version and issue attempt): the CA
	// commits the application's "issued" change with the certificate
	// when it is still there (store.AppLink). Zero: no link.
	ApplicationVersion uint64
	Attempt            uint32
}

// IssuedCert is the CA's answer.
type IssuedCert struct {
	Serial   []byte
	NotAfter time.Time
}

// CertInfo describes a certificate for identification.
type CertInfo struct {
	Valid     bool // within its validity and neither revoked nor on hold
	Qualified bool
	Surname   string // SN
	GivenName string // GN: given name and patronymic
	SNILS     string
	INN       string
}

// IssueInput is the cabinet's part of issuance: the subscriber's
// certificate request and crypto tool. (Package cabinet checks the
// consent and the confirmation code first.)
type IssueInput struct {
	CSR             []byte
	SubjectSignTool string
}

// identificationKind is the certificate's IdentificationKind for how the
// owner was identified.
func identificationKind(m store.IdentMethod) pkix.IdentificationKind {
	switch m {
	case store.IdentQualifiedCert:
		return pkix.IdentificationRemoteCertificate
	case store.IdentESIABiometric:
		return pkix.IdentificationRemoteESIABiometry
	}
	return pkix.IdentificationPersonal
}

// Issue issues the certificate of a ready-to-issue application, for the
// cabinet of its subscriber. It takes three writes around the CA call:
//
//  1. ready to issue → issuing, the attempt counter advanced (audited);
//  2. the CA call, keyed "ra:<id>:<attempt>";
//  3. issuing → issued with the serial and the subscriber's notices —
//     normally already written by the CA in the certificate's batch
//     (the request links the application), so this step only finds it
//     done; or, when the CA refused, issuing → ready to issue (audited
//     with why).
//
// When the CA's outcome is unknown (a timeout, a crash between 2 and 3),
// the application stays "issuing" and the error is CodeIssuePending;
// calling Issue again on it repeats the same keyed CA call, which
// returns the certificate if one was issued.
func (s *Service) Issue(ctx context.Context, actor Actor, id string, version uint64, in IssueInput) (*store.Application, error) {
	var errs []FieldError
	if len(in.CSR) == 0 || len(in.CSR) > 64<<10 {
		errs = append(errs, FieldError{Field: "csr", Problem: "required: the PKCS#10 request made on the subscriber's token (at most 64 KiB)"})
	}
	if prob := appdata.VisibleText(in.SubjectSignTool, 200); in.SubjectSignTool == "" || prob != "" {
		if prob == "" {
			prob = "required: the subscriber's crypto tool, e.g. «КриптоПро CSP» (версия 5.0)"
		}
		errs = append(errs, FieldError{Field: "subject_sign_tool", Problem: prob})
	}
	if len(errs) > 0 {
		return nil, invalidFields(errs)
	}
	if err := actor.check(); err != nil {
		return nil, err
	}
	if !slices.Contains(rules[ActIssue].actors, actor.Kind) {
		return nil, errf(CodeForbidden, "a %s may not issue: the subscriber issues from the cabinet, after consent and a confirmation code", actor.Kind)
	}
	a, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if a.State != store.AppIssuing || a.Version != version {
		// Step 1 (change checks actor, version and state).
		a, err = s.change(ctx, actor, id, version, ActIssue, func(a *store.Application, p *appdata.Profile, st *step) error {
			if err := checkSubject(a, p); err != nil {
				return err
			}
			a.IssueAttempt++
			st.to = store.AppIssuing
			st.note = fmt.Sprintf("attempt %d", a.IssueAttempt)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	p, ok := s.profiles[a.CertType]
	if !ok {
		return nil, errf(CodeUnknownType, "the application's certificate type %q has no profile any more", a.CertType)
	}
	req := IssueRequest{
		IdempotencyKey: fmt.Sprintf("ra:%s:%d", a.ID, a.IssueAttempt), Application: a.ID,
		Profile: p.CertProfile, CSR: in.CSR, Subject: appdata.Subject(a, p), SubjectSignTool: in.SubjectSignTool,
		IdentificationKind: identificationKind(a.Identity.Method), Centre: a.Centre, Replaces: a.Replaces, Actor: actor.ID,
	}
	if a.Owner.Email != "" {
		req.Emails = []string{a.Owner.Email}
	}
	req.ApplicationVersion, req.Attempt = a.Version, a.IssueAttempt // the link: step 3 in the certificate's batch
	cert, caErr := s.ca.Issue(ctx, req)
	switch {
	case caErr == nil && len(cert.Serial) == 0:
		caErr = errors.New("ra: the CA answered without a serial")
	case caErr == nil:
		return s.finishIssue(ctx, actor, a, ActIssued, func(a *store.Application, st *step) {
			a.Serial = append([]byte(nil), cert.Serial...)
			st.to = store.AppIssued
			st.note = "serial " + hex.EncodeToString(cert.Serial)
			st.outbox = outbox.Notices(a, outbox.NoticeIssued, cert.Serial)
		})
	case errors.Is(caErr, ErrCARefused):
		_, err := s.finishIssue(ctx, actor, a, ActIssueRefused, func(a *store.Application, st *step) {
			st.to = store.AppReadyToIssue
			st.note = fmt.Sprintf("attempt %d refused by the CA", a.IssueAttempt)
		})
		if err != nil {
			return nil, err
		}
		return nil, &Error{Code: CodeIssueRefused, Detail: "the CA refused the request: make a new request and try again", Err: caErr}
	}
	s.log.Warn("issuance outcome unknown; the application stays issuing", "application", a.ID, "attempt", a.IssueAttempt, "err", caErr)
	return nil, &Error{Code: CodeIssuePending, Detail: "issuance did not complete: repeat the call with the application's current version", Err: caErr}
}

// finishIssue writes the outcome of the CA call. The application is in
// "issuing", where no other action applies, so a conflict can only come
// from a concurrent repeat of the same call; it is re-read and, if it is
// still issuing, written again.
func (s *Service) finishIssue(ctx context.Context, actor Actor, a *store.Application, act Action, fn func(*store.Application, *step)) (*store.Application, error) {
	for attempt := 0; ; attempt++ {
		out, err := s.change(ctx, actor, a.ID, a.Version, act, func(a *store.Application, p *appdata.Profile, st *step) error {
			fn(a, st)
			return nil
		})
		if CodeOf(err) != CodeConflict || attempt == 3 {
			return out, err
		}
		cur, lerr := s.load(ctx, actor, a.ID)
		if lerr != nil {
			return nil, lerr
		}
		if cur.State != store.AppIssuing {
			return cur, nil // the repeat finished it
		}
		a = cur
	}
}
