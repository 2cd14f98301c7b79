package hooks

import (
	"context"
	"time"

	"github.com/gostca/gostca/config"
)

// Kinds is every hook kind the outbox holds rows of.
var Kinds = config.HookKinds

// unconfigured lists the kinds with no endpoint: their rows wait, and a
// counting loop keeps gostca_hook_due true for them (the README promises
// the series whether or not a connector is set).
func unconfigured(targets []*hookTarget) []*hookTarget {
	var out []*hookTarget
	for _, k := range Kinds {
		found := false
		for _, t := range targets {
			found = found || t.kind == k
		}
		if !found {
			out = append(out, &hookTarget{kind: k, kick: make(chan struct{}, 1)})
		}
	}
	return out
}

// countDue refreshes gostca_hook_due of a kind that is not delivered:
// at once, every hooks.poll_interval and after a Kick (an issuance) — at
// most once per dueKickInterval for kicks. Each refresh reads up to a
// page of rows; once a page waits, reading it for every issuance was a
// sixth of the server's CPU under issuance load.
func (d *Deliverer) countDue(ctx context.Context, h *hookTarget) {
	t := time.NewTicker(d.cfg.PollInterval)
	defer t.Stop()
	for {
		last := time.Now()
		rows, err := d.st.OutboxPending(ctx, h.kind, hookPageSize)
		if err == nil {
			d.m.hookDue.WithLabelValues(h.kind).Set(float64(len(rows)))
		} else if ctx.Err() == nil {
			d.log.Error("counting due hook rows failed", "kind", h.kind, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-h.kick:
			if wait := dueKickInterval - time.Since(last); wait > 0 {
				select { // kicks meanwhile coalesce in h.kick
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		}
	}
}

// dueKickInterval is how far gostca_hook_due of an undelivered kind may
// lag the issuances that add to it.
const dueKickInterval = 500 * time.Millisecond
