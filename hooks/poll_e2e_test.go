package hooks_test

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hooks"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/internal/hooksimtest"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// The polling tests run the real simulator (cmd/hooksim -poll N) as a
// process on loopback: the engine delivers, takes a ticket, and asks the
// simulator's /poll/{ticket} until the final answer.

// startPollSim runs hooksim with a fresh secret and args; it returns the
// simulator and the secret file.
func startPollSim(t *testing.T, args ...string) (*hooksimtest.Sim, string) {
	t.Helper()
	sec := filepath.Join(t.TempDir(), "hooks.key")
	if err := os.WriteFile(sec, []byte("whsec_"+base64.StdEncoding.EncodeToString([]byte("polling receiver secret, 32 bytes"))), 0o600); err != nil {
		t.Fatal(err)
	}
	return hooksimtest.Start(t, append([]string{"-secret-file", sec}, args...)...), sec
}

// pollConfig configures kinds in poll mode at the simulator.
func pollConfig(t *testing.T, sim *hooksimtest.Sim, sec string, deadline time.Duration, kinds ...string) config.Config {
	cfg := catest.Config(t)
	cfg.Hooks.AllowHTTPLoopback = true
	cfg.Hooks.PollInterval = 20 * time.Millisecond
	cfg.Hooks.MinBackoff = 10 * time.Millisecond
	cfg.Hooks.MaxBackoff = 40 * time.Millisecond
	cfg.Hooks.Kinds = map[string]config.HookKindConfig{}
	for _, k := range kinds {
		cfg.Hooks.Kinds[k] = config.HookKindConfig{URL: sim.Base + "/" + k, SecretFiles: []string{sec}, Mode: config.HookModePoll,
			PollURL: sim.Base + "/poll/{ticket}", PollInterval: 20 * time.Millisecond, PollMaxInterval: 60 * time.Millisecond,
			PollDeadline: deadline}
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func polls(t *testing.T, e *ca.CA, kind, result string) float64 {
	t.Helper()
	mfs, err := e.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "gostca_hook_polls_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] == kind && labels["result"] == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// esiaRow is the ESIA outbox row of the only issued certificate.
func esiaRow(t *testing.T, e *ca.CA) store.OutboxRow {
	t.Helper()
	rows, err := e.Store().OutboxList(context.Background(), hooks.HookESIA, store.OutboxAny, 0, 10)
	if err != nil || len(rows) != 1 {
		t.Fatalf("ESIA rows %v %d", err, len(rows))
	}
	return rows[0]
}

// TestPollRegistryCheck: a receiver that answers registry checks only by
// status queries — a ticket, pending twice, then the final answer — has
// its answers taken into the application through ra exactly as signed
// callbacks are (three confirmed checks, three registry answers in the
// history by hook:registry_check); every row is delivered with its
// ticket and queries logged, and the metrics count them.
func TestPollRegistryCheck(t *testing.T) {
	sim, sec := startPollSim(t, "-poll", "2")
	e := catest.Open(t, pollConfig(t, sim, sec, 30*time.Second, "registry_check"))
	svc, st := e.RA(), e.Store().(ra.Store)
	ctx := context.Background()
	a := catest.ApplicationWithChecks(t, svc)
	waitFor(t, "three checks confirmed by polling", func() bool { return catest.ConfirmedChecks(t, st, a.ID) == 3 })
	hist, err := st.ApplicationHistory(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	answers := 0
	for _, ev := range hist {
		if ev.Action == string(ra.ActRegistryAnswer) {
			answers++
			if ev.Actor != "hook:registry_check" {
				t.Errorf("answer by %q", ev.Actor)
			}
		}
	}
	if answers != 3 {
		t.Errorf("%d registry answers in the history, want 3", answers)
	}
	waitFor(t, "the rows delivered", func() bool {
		rows, err := e.Store().OutboxList(ctx, hooks.HookRegistryCheck, store.OutboxPendingRows, 0, 10)
		return err == nil && len(rows) == 0
	})
	rows, _ := e.Store().OutboxList(ctx, hooks.HookRegistryCheck, store.OutboxAny, 0, 10)
	for _, r := range rows {
		if !r.Done || r.Ticket == "" || r.Polls != 2 || len(r.Log) != 4 || r.Log[0].Code != 202 || r.Log[3].Code != 200 || r.Log[3].Error != "" {
			t.Errorf("row %+v", r)
		}
	}
	if n := sim.Stats(t)["polls"].(float64); n != 9 {
		t.Errorf("simulator answered %v status queries, want 9 (3 per check)", n)
	}
	if got := sim.Count(t, "received", "registry_check"); got != 3 {
		t.Errorf("simulator took %v requests, want 3", got)
	}
	// The final answer's counter goes up after the row's write, so a
	// loaded machine may read the metrics between the two: wait for them.
	waitFor(t, "poll metrics final 3, pending 6, ticket 3", func() bool {
		return polls(t, e, "registry_check", "final") == 3 && polls(t, e, "registry_check", "pending") == 6 && polls(t, e, "registry_check", "ticket") == 3
	})
	e.Hooks().Kick()
	waitFor(t, "no pending tickets counted", func() bool {
		n, err := testutil.GatherAndCount(e.Registry(), "gostca_hook_pending_tickets")
		return err == nil && n == 1 && gaugeValue(t, e, "gostca_hook_pending_tickets", "registry_check") == 0
	})
}

func gaugeValue(t *testing.T, e *ca.CA, name, kind string) float64 {
	t.Helper()
	mfs, _ := e.Registry().Gather()
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == "kind" && l.GetValue() == kind {
						return m.GetGauge().GetValue()
					}
				}
			}
		}
	}
	return -1
}

// TestPollRestartResumes: the engine stops while it polls a ticket that
// is not final yet; started again, it goes on asking about the same
// ticket and never sends the registration again; the final answer moves
// the registration to SUCCEEDED.
func TestPollRestartResumes(t *testing.T) {
	sim, sec := startPollSim(t, "-poll", "-1")
	cfg := pollConfig(t, sim, sec, time.Minute, "esia")
	e := catest.Open(t, cfg)
	ctx := context.Background()
	r := catest.Issue(t, e)
	waitFor(t, "a ticket asked about twice", func() bool {
		row := esiaRow(t, e)
		return row.Ticket != "" && row.Polls >= 2
	})
	if polls(t, e, "esia", "ticket") != 1 || gaugeValue(t, e, "gostca_hook_pending_tickets", "esia") != 1 {
		t.Errorf("metrics: ticket %v, pending tickets %v", polls(t, e, "esia", "ticket"), gaugeValue(t, e, "gostca_hook_pending_tickets", "esia"))
	}
	before := esiaRow(t, e)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	sim.Control(t, "poll=1") // one more pending answer, then final
	e2 := catest.Open(t, cfg)
	waitFor(t, "the registration SUCCEEDED", func() bool {
		st, err := e2.Hooks().ESIAState(ctx, r.Cert.Serial)
		return err == nil && st != nil && st.State == hooks.ESIASucceeded
	})
	waitFor(t, "the row delivered", func() bool { return esiaRow(t, e2).Done })
	after := esiaRow(t, e2)
	if after.Ticket != before.Ticket || after.Polls <= before.Polls {
		t.Errorf("after the restart: ticket %q polls %d, before %q %d", after.Ticket, after.Polls, before.Ticket, before.Polls)
	}
	if got, dup := sim.Count(t, "received", "esia"), sim.Count(t, "duplicates", "esia"); got != 1 || dup != 0 {
		t.Errorf("the registration was sent %v times (+%v repeats), want once", got, dup)
	}
}

// TestPollDeadline: a ticket that never becomes final makes its row
// dead at the poll deadline with an error saying so, the registration
// stays pending; a redrive sends the request again (the receiver gives
// the ticket again) and, the receiver now final, it succeeds.
func TestPollDeadline(t *testing.T) {
	sim, sec := startPollSim(t, "-poll", "-1")
	e := catest.Open(t, pollConfig(t, sim, sec, 400*time.Millisecond, "esia"))
	ctx := context.Background()
	r := catest.Issue(t, e)
	start := time.Now()
	waitFor(t, "the row dead", func() bool { return esiaRow(t, e).Dead })
	if took := time.Since(start); took < 400*time.Millisecond {
		t.Errorf("dead after %v, before the 400ms deadline", took)
	}
	row := esiaRow(t, e)
	if !strings.Contains(row.LastError, "poll deadline") || !strings.Contains(row.LastError, row.Ticket) || row.Polls < 3 {
		t.Errorf("dead row %+v", row)
	}
	if st, err := e.Hooks().ESIAState(ctx, r.Cert.Serial); err != nil || st != nil {
		t.Errorf("registration %+v %v, want none (pending)", st, err)
	}
	if polls(t, e, "esia", "deadline") != 1 {
		t.Errorf("deadline metric %v", polls(t, e, "esia", "deadline"))
	}
	sim.Control(t, "poll=0")
	if _, err := e.Hooks().Redrive(ctx, "token:op", row.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the registration SUCCEEDED after the redrive", func() bool {
		st, err := e.Hooks().ESIAState(ctx, r.Cert.Serial)
		return err == nil && st != nil && st.State == hooks.ESIASucceeded
	})
	if dup := sim.Count(t, "duplicates", "esia"); dup != 1 {
		t.Errorf("the redrive sent the request %v times again, want 1", dup)
	}
}

// TestPollForgedAnswer: final answers signed with a key the engine does
// not know are refused and change nothing (no registration state, the
// row still polling, the refusals logged and counted); once the
// receiver signs properly the same answer is taken.
func TestPollForgedAnswer(t *testing.T) {
	sim, sec := startPollSim(t, "-poll", "0", "-forge")
	e := catest.Open(t, pollConfig(t, sim, sec, time.Minute, "esia"))
	ctx := context.Background()
	r := catest.Issue(t, e)
	waitFor(t, "three refused answers", func() bool { return polls(t, e, "esia", "bad_signature") >= 3 })
	row := esiaRow(t, e)
	if row.Done || row.Dead || !strings.Contains(row.LastError, "signature") {
		t.Errorf("row after forged answers %+v", row)
	}
	if st, err := e.Hooks().ESIAState(ctx, r.Cert.Serial); err != nil || st != nil {
		t.Fatalf("a forged answer changed the registration: %+v %v", st, err)
	}
	if n := polls(t, e, "esia", "final"); n != 0 {
		t.Errorf("%v final answers taken", n)
	}
	sim.Control(t, "forge=0")
	waitFor(t, "the registration SUCCEEDED", func() bool {
		st, err := e.Hooks().ESIAState(ctx, r.Cert.Serial)
		return err == nil && st != nil && st.State == hooks.ESIASucceeded && st.Answers == 1
	})
}

// TestPollValidating: pending status answers that carry ESIA's
// VALIDATING move the registration to VALIDATING (taken once, though
// repeated on every query) before the final SUCCEEDED.
func TestPollValidating(t *testing.T) {
	sim, sec := startPollSim(t, "-poll", "-1", "-esia", "validating")
	e := catest.Open(t, pollConfig(t, sim, sec, time.Minute, "esia"))
	ctx := context.Background()
	r := catest.Issue(t, e)
	waitFor(t, "VALIDATING", func() bool {
		st, err := e.Hooks().ESIAState(ctx, r.Cert.Serial)
		return err == nil && st != nil && st.State == hooks.ESIAValidating
	})
	waitFor(t, "more queries", func() bool { return esiaRow(t, e).Polls >= 3 })
	sim.Control(t, "poll=0")
	waitFor(t, "SUCCEEDED", func() bool {
		st, err := e.Hooks().ESIAState(ctx, r.Cert.Serial)
		return err == nil && st != nil && st.State == hooks.ESIASucceeded
	})
	if st, _ := e.Hooks().ESIAState(ctx, r.Cert.Serial); st.Answers != 2 {
		t.Errorf("%d answers taken, want 2 (VALIDATING once, SUCCEEDED)", st.Answers)
	}
}
