package hooks_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gostca/gostca/internal/catest"
)

// TestHookDueWithoutConnector: with no hooks.esia_url, gostca_hook_due
// is on /metrics from the start (0) and counts the ESIA rows that wait,
// as the README promises.
func TestHookDueWithoutConnector(t *testing.T) {
	cfg := catest.Config(t)
	cfg.Hooks.PollInterval = 50 * time.Millisecond
	e := catest.Open(t, cfg)
	due := func() (float64, bool) {
		mfs, err := e.Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() != "gostca_hook_due" {
				continue
			}
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == "kind" && l.GetValue() == "esia" {
						return m.GetGauge().GetValue(), true
					}
				}
			}
		}
		return 0, false
	}
	if v, ok := due(); !ok || v != 0 {
		t.Fatalf("before any issuance: gostca_hook_due{kind=esia} = %v, present %v", v, ok)
	}
	catest.Issue(t, e)
	catest.Issue(t, e)
	waitFor(t, "gostca_hook_due = 2", func() bool { v, _ := due(); return v == 2 })
	if n := testutil.CollectAndCount(e.Registry(), "gostca_hook_deliveries_total"); n != 0 {
		t.Fatalf("%d delivery series without a connector", n)
	}
}
