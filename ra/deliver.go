package ra

import (
	"context"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/outbox"
	"github.com/gostca/gostca/store"
)

// SendToCabinet makes the application ready to issue and tells the
// subscriber (SMS and e-mail rows in the same batch).
func (s *Service) SendToCabinet(ctx context.Context, actor Actor, id string, version uint64) (*store.Application, error) {
	return s.change(ctx, actor, id, version, ActSendToCabinet, func(a *store.Application, p *appdata.Profile, st *step) error {
		if err := checkSubject(a, p); err != nil {
			return err
		}
		st.to = store.AppReadyToIssue
		st.outbox = outbox.Notices(a, outbox.NoticeReadyToIssue, nil)
		return nil
	})
}

// TakeBack returns a ready-to-issue application from the cabinet.
func (s *Service) TakeBack(ctx context.Context, actor Actor, id string, version uint64, why string) (*store.Application, error) {
	if prob := appdata.VisibleText(why, appdata.MaxTextRunes); why == "" || prob != "" {
		if prob == "" {
			prob = "required: why the application is taken back"
		}
		return nil, invalidFields([]FieldError{{Field: "reason", Problem: prob}})
	}
	return s.change(ctx, actor, id, version, ActTakeBack, func(a *store.Application, p *appdata.Profile, st *step) error {
		st.to = store.AppIdentityVerified
		st.note = why
		return nil
	})
}
