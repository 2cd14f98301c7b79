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
// at once, on every Kick (an issuance) and every hooks.poll_interval.
func (d *Deliverer) countDue(ctx context.Context, h *hookTarget) {
	t := time.NewTicker(d.cfg.PollInterval)
	defer t.Stop()
	for {
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
		}
	}
}
