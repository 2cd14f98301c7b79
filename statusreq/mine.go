package statusreq

import (
	"context"
	"encoding/hex"
	"errors"
	"time"

	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/store"
)

// The subscriber's own requests: one by id, and the list of their phone,
// newest first. Another phone's request is answered exactly as an
// unknown id.

// StateExpired is the state a subscriber sees for a request that waited
// for its code and can no longer be confirmed: the code expired (or was
// purged), or its wrong tries were used up. The store keeps it
// awaiting_code until the purge deletes it; operators see that.
const StateExpired = "expired"

// Mine is a request as its subscriber sees it.
type Mine struct {
	store.StatusRequest
	// State is the request's state by name: awaiting_code, pending,
	// approved, rejected, or StateExpired.
	State string
	// CodeExpires is when the code of a request awaiting it expires
	// (zero once confirmed, or when the code is gone).
	CodeExpires time.Time
}

func (s *Service) unknown() error {
	return &otp.Error{Code: otp.CodeUnknown, Detail: "no such status request"}
}

// Get reads one of the subscriber's requests; an unknown id, another
// phone's request and a malformed id answer the same.
func (s *Service) Get(ctx context.Context, sub *cabinet.Subscriber, id string) (*Mine, error) {
	raw, err := hex.DecodeString(id)
	if err != nil || len(raw) != store.StatusRequestIDLen {
		return nil, s.unknown()
	}
	r, err := s.st.StatusRequest(ctx, [store.StatusRequestIDLen]byte(raw))
	switch {
	case errors.Is(err, store.ErrNotFound) || err == nil && r.Phone != sub.Phone:
		return nil, s.unknown()
	case err != nil:
		return nil, s.internal("read status request", err)
	}
	return s.mine(ctx, r)
}

// List is a page of the subscriber's requests, newest first, from a
// cursor (the previous page's next cursor; "" for the first page).
func (s *Service) List(ctx context.Context, sub *cabinet.Subscriber, cursor string, limit int) ([]Mine, string, error) {
	rs, next, err := s.st.StatusRequestsOfPhone(ctx, sub.Phone, cursor, limit)
	switch {
	case errors.Is(err, store.ErrInvalidInput):
		return nil, "", &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "cursor", Detail: "cursor: the next_cursor of the previous page"}
	case err != nil:
		return nil, "", s.internal("list status requests", err)
	}
	out := make([]Mine, 0, len(rs))
	for i := range rs {
		if rs[i].Phone != sub.Phone { // the store's index is by phone; never show another's
			continue
		}
		m, err := s.mine(ctx, &rs[i])
		if err != nil {
			return nil, "", err
		}
		out = append(out, *m)
	}
	return out, next, nil
}

// mine names a request's state for its subscriber: a draft is
// awaiting_code while its code can still confirm it, expired after.
func (s *Service) mine(ctx context.Context, r *store.StatusRequest) (*Mine, error) {
	m := &Mine{StatusRequest: *r, State: r.State.String()}
	if r.State != store.ReqAwaitingCode {
		return m, nil
	}
	c, err := s.st.Challenge(ctx, r.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		m.State = StateExpired
	case err != nil:
		return nil, s.internal("read the request's code", err)
	case !s.codes.Now().Before(c.Expires) || c.Tries >= c.MaxTries:
		m.State, m.CodeExpires = StateExpired, c.Expires
	default:
		m.CodeExpires = c.Expires
	}
	return m, nil
}
