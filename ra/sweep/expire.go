// Package sweep holds the registration authority's background sweeps:
// expiry closes the open applications past their deadline; retention
// drops the documents of applications that ended without a certificate
// once they have been closed for the retention period. Both act as the
// System actor through ra.Service's actions, one application at a
// time; an application changed meanwhile is left for the next sweep.
package sweep

import (
	"context"
	"log/slog"
	"time"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// eachInState calls fn with the applications in state st, oldest in
// state first, until fn says stop or the queue ends.
func eachInState(ctx context.Context, s *ra.Service, actor ra.Actor, st store.AppState, fn func(a *store.Application) (stop bool, err error)) error {
	cursor := ""
	for {
		page, next, err := s.List(ctx, actor, ra.ListQuery{State: st, Cursor: cursor, Limit: 200})
		if err != nil {
			return err
		}
		for i := range page {
			if stop, err := fn(&page[i]); stop || err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// ExpireDue closes every open application whose deadline has passed, as
// actor (the System actor of the engine's sweep), and returns how many
// it closed. It walks the open states' queues; an application changed
// meanwhile is left for the next sweep.
func ExpireDue(ctx context.Context, s *ra.Service, actor ra.Actor) (int, error) {
	if s.Deadline() <= 0 {
		return 0, nil
	}
	now := s.Now()
	n := 0
	for _, st := range ra.OpenStates() {
		err := eachInState(ctx, s, actor, st, func(a *store.Application) (bool, error) {
			if a.Deadline.IsZero() || now.Before(a.Deadline) {
				return false, nil
			}
			_, err := s.Expire(ctx, actor, a.ID, 0)
			switch ra.CodeOf(err) {
			case "":
				n++
			case ra.CodeConflict, ra.CodeWrongState, ra.CodeTooEarly:
				// changed meanwhile: the next sweep sees it again
			default:
				return true, err
			}
			return false, nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// RunExpiry runs ExpireDue every interval until ctx ends (a background
// job on the CA's lifetime context).
func RunExpiry(ctx context.Context, s *ra.Service, actor ra.Actor, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := ExpireDue(ctx, s, actor); err != nil && ctx.Err() == nil {
			log.Error("ra: expiry sweep failed", "err", err)
		} else if n > 0 {
			log.Info("ra: applications expired", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
