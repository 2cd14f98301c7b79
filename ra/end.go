package ra

import (
	"context"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/outbox"
	"github.com/gostca/gostca/store"
)

// Cancel closes an open application for good (not while the CA is
// issuing). The reason is required; the subscriber is notified.
func (s *Service) Cancel(ctx context.Context, actor Actor, id string, version uint64, why string) (*store.Application, error) {
	if prob := appdata.VisibleText(why, appdata.MaxTextRunes); why == "" || prob != "" {
		if prob == "" {
			prob = "required: why the application is cancelled"
		}
		return nil, invalidFields([]FieldError{{Field: "reason", Problem: prob}})
	}
	return s.change(ctx, actor, id, version, ActCancel, func(a *store.Application, p *appdata.Profile, st *step) error {
		a.Assignee = ""
		st.to = store.AppCancelled
		st.note = why
		st.outbox = outbox.Notices(a, outbox.NoticeCancelled, nil)
		return nil
	})
}

// Expire closes an open application whose deadline has passed (the
// system actor's sweep; version 0 means "current").
func (s *Service) Expire(ctx context.Context, actor Actor, id string, version uint64) (*store.Application, error) {
	return s.change(ctx, actor, id, version, ActExpire, func(a *store.Application, p *appdata.Profile, st *step) error {
		if a.Deadline.IsZero() || s.now().Before(a.Deadline) {
			return errf(CodeTooEarly, "the application's deadline has not passed")
		}
		a.Assignee = ""
		st.to = store.AppExpired
		st.outbox = outbox.Notices(a, outbox.NoticeExpired, nil)
		return nil
	})
}
