package ra

import (
	"context"
	"time"

	"github.com/gostca/gostca/store"
)

// ExpireDue closes every open application whose deadline has passed, as
// actor (the System actor of the engine's sweep), and returns how many
// it closed. It walks the open states' queues; an application changed
// meanwhile is left for the next sweep.
func (s *Service) ExpireDue(ctx context.Context, actor Actor) (int, error) {
	if s.opts.Deadline <= 0 {
		return 0, nil
	}
	now := s.now()
	n := 0
	for _, st := range open {
		cursor := ""
		for {
			page, next, err := s.st.FindApplications(ctx, store.AppQuery{Field: store.ByAppState, Value: st.String(), Cursor: cursor, Limit: 200})
			if err != nil {
				return n, s.internal("list applications to expire", err)
			}
			for i := range page {
				a := &page[i]
				if a.Deadline.IsZero() || now.Before(a.Deadline) {
					continue
				}
				_, err := s.Expire(ctx, actor, a.ID, 0)
				switch CodeOf(err) {
				case "":
					n++
				case CodeConflict, CodeWrongState, CodeTooEarly:
					// changed meanwhile: the next sweep sees it again
				default:
					return n, err
				}
			}
			if next == "" {
				break
			}
			cursor = next
		}
	}
	return n, nil
}

// RunExpiry runs ExpireDue every interval until ctx ends (a background
// job on the CA's lifetime context).
func (s *Service) RunExpiry(ctx context.Context, actor Actor, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.ExpireDue(ctx, actor); err != nil && ctx.Err() == nil {
			s.log.Error("ra: expiry sweep failed", "err", err)
		} else if n > 0 {
			s.log.Info("ra: applications expired", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
