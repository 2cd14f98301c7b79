package ra

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/mchd"
	"github.com/gostca/gostca/ra/outbox"
	"github.com/gostca/gostca/store"
)

// missing lists what an application lacks for submission and approval:
// required owner and organisation fields, required documents (unless a
// confirmed registry check waives them), and it re-validates the owner
// data against the profile (which may have changed since it was saved).
func (s *Service) missing(a *store.Application, p *appdata.Profile) ([]string, []FieldError) {
	o := a.Owner
	errs := appdata.ValidateOwner(&o, p, s.now())
	var out []string
	if a.Phone == "" {
		out = append(out, "phone")
	}
	out = append(out, appdata.MissingOwner(&a.Owner, p)...)
	out = append(out, appdata.MissingOrg(&a.Org, p)...)
	for _, rule := range p.Documents {
		if slices.ContainsFunc(a.Documents, func(d store.Document) bool { return slices.Contains(rule.AnyOf, d.Type) && mchd.Counts(d) }) {
			continue
		}
		if rule.WaivedBy != "" && checkConfirmed(a, rule.WaivedBy) {
			continue
		}
		line := "document: " + strings.Join(rule.AnyOf, " or ")
		if slices.Contains(rule.AnyOf, appdata.DocMCHD) {
			line += " (an " + appdata.DocMCHD + " counts by its XML file, with its signature)"
		}
		if rule.WaivedBy != "" {
			line += " (not needed once the " + rule.WaivedBy + " registry check confirms the data)"
		}
		out = append(out, line)
	}
	return out, errs
}

func checkConfirmed(a *store.Application, kind string) bool {
	return slices.ContainsFunc(a.Checks, func(c store.RegistryCheck) bool {
		return c.Kind == kind && c.Status == store.CheckConfirmed
	})
}

// Submit sends the application for review: allowed only when every
// required field and document is there (Missing names the rest) and the
// data is valid. The review starts again from the first step.
func (s *Service) Submit(ctx context.Context, actor Actor, id string, version uint64) (*store.Application, error) {
	return s.change(ctx, actor, id, version, ActSubmit, func(a *store.Application, p *appdata.Profile, st *step) error {
		miss, errs := s.missing(a, p)
		if len(errs) > 0 {
			return invalidFields(errs)
		}
		if len(miss) > 0 {
			return incomplete("submission", miss)
		}
		if err := s.checkMCHD(a); err != nil {
			return err
		}
		a.ReviewStep, a.Assignee = 0, ""
		a.Round++
		st.to = store.AppSubmitted
		st.note = fmt.Sprintf("round %d", a.Round)
		return nil
	})
}

// mayReview refuses an operator who edited the data, or who decided an
// earlier step of this round.
func mayReview(a *store.Application, actor Actor) error {
	if slices.Contains(a.Editors, actor.ID) {
		return errf(CodeForbidden, "you edited this application's data: another operator must review it")
	}
	for _, rv := range a.Reviews {
		if rv.Round == a.Round && rv.Reviewer == actor.ID {
			return errf(CodeForbidden, "you decided the %s step of this application: the next step needs another operator", rv.Step)
		}
	}
	return nil
}

// Claim assigns the pending review step to the calling operator.
func (s *Service) Claim(ctx context.Context, actor Actor, id string, version uint64) (*store.Application, error) {
	return s.change(ctx, actor, id, version, ActClaim, func(a *store.Application, p *appdata.Profile, st *step) error {
		if err := mayReview(a, actor); err != nil {
			return err
		}
		a.Assignee = actor.ID
		st.to = store.AppInReview
		st.note = "step " + p.ReviewSteps[min(int(a.ReviewStep), len(p.ReviewSteps)-1)]
		return nil
	})
}

// Unclaim puts a claimed application back in the queue (any operator may:
// a colleague may be away).
func (s *Service) Unclaim(ctx context.Context, actor Actor, id string, version uint64) (*store.Application, error) {
	return s.change(ctx, actor, id, version, ActUnclaim, func(a *store.Application, p *appdata.Profile, st *step) error {
		st.note = "was claimed by " + a.Assignee
		a.Assignee = ""
		st.to = store.AppSubmitted
		return nil
	})
}

// maxReviews leaves room below the store's bound on review records.
const maxReviews = 250

// assigned refuses a decision by an operator who has not claimed it.
func assigned(a *store.Application, actor Actor) error {
	if len(a.Reviews) >= maxReviews {
		return errf(CodeLimit, "the application has %d review decisions; cancel it and open a new one", len(a.Reviews))
	}
	if a.Assignee != actor.ID {
		return errf(CodeForbidden, "another operator has claimed this application; claim it first")
	}
	return mayReview(a, actor)
}

// Approve decides the claimed review step in favour. The application
// must still be complete, and its certificate subject must pass pkix's
// checks. After the last step it is approved; otherwise it waits in the
// queue for the next step (another operator).
func (s *Service) Approve(ctx context.Context, actor Actor, id string, version uint64) (*store.Application, error) {
	return s.change(ctx, actor, id, version, ActApprove, func(a *store.Application, p *appdata.Profile, st *step) error {
		if err := assigned(a, actor); err != nil {
			return err
		}
		miss, errs := s.missing(a, p)
		if len(errs) > 0 {
			return invalidFields(errs)
		}
		if len(miss) > 0 {
			return incomplete("approval", miss)
		}
		if err := s.checkMCHD(a); err != nil {
			return err
		}
		if err := checkSubject(a, p); err != nil {
			return err
		}
		stepName := p.ReviewSteps[min(int(a.ReviewStep), len(p.ReviewSteps)-1)]
		a.Reviews = append(a.Reviews, store.Review{Step: stepName, Round: a.Round, Reviewer: actor.ID, Approved: true, At: s.now()})
		a.Assignee = ""
		st.note = "step " + stepName
		if int(a.ReviewStep)+1 >= len(p.ReviewSteps) {
			st.to = store.AppApproved
			return nil
		}
		a.ReviewStep++
		st.to = store.AppSubmitted
		return nil
	})
}

// Reason is one reason of a rejection.
type Reason struct {
	// Target is what is wrong: "owner.<field>" (sub-fields allowed,
	// "owner.identity_document.series"), "organisation.<field>",
	// "document:<type>", "phone", "recipient" or "application".
	Target string
	// Code is a stable code the cabinet can key help texts on
	// ([a-z0-9_], 1–64 characters), e.g. "does_not_match_passport".
	Code string
	// Text explains it to the subscriber.
	Text string
}

// Reject returns the application for correction, with reasons per field
// and per document; the subscriber is notified (SMS and e-mail rows).
func (s *Service) Reject(ctx context.Context, actor Actor, id string, version uint64, reasons []Reason) (*store.Application, error) {
	if len(reasons) == 0 {
		return nil, invalidFields([]FieldError{{Field: "reasons", Problem: "give at least one reason: what is wrong and how to fix it"}})
	}
	if len(reasons) > 64 {
		return nil, invalidFields([]FieldError{{Field: "reasons", Problem: "at most 64 reasons"}})
	}
	var errs []FieldError
	for i, r := range reasons {
		field := fmt.Sprintf("reasons[%d]", i)
		if !validTarget(r.Target) {
			errs = append(errs, FieldError{Field: field + ".target", Problem: `name a field ("owner.surname"), a document ("document:passport"), "phone", "recipient" or "application"`})
		}
		if !appdata.ValidStepName(r.Code) {
			errs = append(errs, FieldError{Field: field + ".code", Problem: "1–64 characters of a-z 0-9 _ -"})
		}
		if r.Text == "" {
			errs = append(errs, FieldError{Field: field + ".text", Problem: "required: explain what to fix"})
		} else if prob := appdata.VisibleText(r.Text, appdata.MaxTextRunes); prob != "" {
			errs = append(errs, FieldError{Field: field + ".text", Problem: prob})
		}
	}
	if len(errs) > 0 {
		return nil, invalidFields(errs)
	}
	return s.change(ctx, actor, id, version, ActReject, func(a *store.Application, p *appdata.Profile, st *step) error {
		if err := assigned(a, actor); err != nil {
			return err
		}
		stepName := p.ReviewSteps[min(int(a.ReviewStep), len(p.ReviewSteps)-1)]
		rv := store.Review{Step: stepName, Round: a.Round, Reviewer: actor.ID, At: s.now()}
		targets := make([]string, 0, len(reasons))
		for _, r := range reasons {
			rv.Reasons = append(rv.Reasons, store.ReviewReason{Target: r.Target, Code: r.Code, Text: r.Text})
			targets = append(targets, r.Target+" "+r.Code)
		}
		a.Reviews = append(a.Reviews, rv)
		a.Assignee, a.ReviewStep = "", 0
		st.to = store.AppRejected
		st.note = "step " + stepName + ": " + strings.Join(targets, ", ")
		st.outbox = outbox.Notices(a, outbox.NoticeRejected, nil)
		return nil
	})
}

// validTarget accepts the names a rejection reason may point at.
func validTarget(t string) bool {
	if len(t) > 64 {
		return false
	}
	switch t {
	case "phone", "recipient", "application":
		return true
	}
	if typ, ok := strings.CutPrefix(t, "document:"); ok {
		return slices.Contains(appdata.DocumentTypes, typ)
	}
	if f, ok := strings.CutPrefix(t, "owner."); ok {
		head, _, _ := strings.Cut(f, ".")
		return slices.Contains(appdata.OwnerFieldNames(), head) && validDotted(f)
	}
	if f, ok := strings.CutPrefix(t, "organisation."); ok {
		head, _, _ := strings.Cut(f, ".")
		return slices.Contains(appdata.OrgFieldNames(), head) && validDotted(f)
	}
	return false
}

func validDotted(s string) bool {
	if len(s) > 56 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if !appdata.ValidStepName(part) {
			return false
		}
	}
	return true
}

// checkSubject refuses an application whose certificate subject pkix
// would refuse (appdata.CheckSubject), naming the attribute.
func checkSubject(a *store.Application, p *appdata.Profile) error {
	if errs := appdata.CheckSubject(a, p); errs != nil {
		return invalidFields(errs)
	}
	return nil
}

// checkMCHD refuses an action while the application's МЧД does not pass
// (package ra/mchd).
func (s *Service) checkMCHD(a *store.Application) error {
	errs, err := mchd.Check(s.opts.Documents, a, s.now())
	var re *mchd.ReadError
	switch {
	case errors.Is(err, mchd.ErrNoDocuments):
		return errf(CodeInternal, "%s", err)
	case errors.As(err, &re):
		return s.internal("read the МЧД "+re.Document, re.Err)
	case err != nil:
		return s.internal("read the МЧД", err)
	case len(errs) > 0:
		return invalidFields(errs)
	}
	return nil
}
