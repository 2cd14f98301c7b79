package otp_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/store"
)

// countingStore counts the challenges put to the store (refusals by the
// memory front never reach it).
type countingStore struct {
	*store.Store
	puts atomic.Int64
}

func (c *countingStore) PutChallenge(ctx context.Context, ch *store.Challenge, outbox []store.OutboxRow, audit store.AuditEntry, extra ...store.Extra) error {
	c.puts.Add(1)
	return c.Store.PutChallenge(ctx, ch, outbox, audit, extra...)
}

// node is one run of the server: the store opened on dir (real Pebble)
// and a new service over it, with an empty memory.
type node struct {
	st  *countingStore
	svc *otp.Service
	reg *prometheus.Registry
}

var limitSecret = []byte(strings.Repeat("s", 32))

func limitOptions() otp.Options {
	return otp.Options{ResendAfter: time.Second, PerPhone: otp.Rate{Max: 2, Window: time.Hour},
		PerClient: otp.Rate{Max: 3, Window: time.Hour}, PerPrefix: otp.Rate{Max: 4, Window: time.Hour}, PrefixDigits: 4}
}

func startNode(t *testing.T, dir string, clk *clock, opts otp.Options) *node {
	t.Helper()
	st, err := store.Open(dir, store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sec, err := otp.NewSecret(limitSecret)
	if err != nil {
		t.Fatal(err)
	}
	n := &node{st: &countingStore{Store: st}, reg: prometheus.NewRegistry()}
	opts.Now, opts.Registry, opts.Logger = clk.now, n.reg, slog.New(slog.DiscardHandler)
	if n.svc, err = otp.New(n.st, sec, opts); err != nil {
		t.Fatal(err)
	}
	return n
}

// restart closes the store and starts a new node on the same directory.
func (n *node) restart(t *testing.T, dir string, clk *clock, opts otp.Options) *node {
	t.Helper()
	if err := n.st.Close(); err != nil {
		t.Fatal(err)
	}
	return startNode(t, dir, clk, opts)
}

func (n *node) send(p otp.Purpose, phone, addr string) error {
	_, err := n.svc.Send(context.Background(), otp.SendRequest{Purpose: p, Phone: phone, Client: "c", Addr: addr, Actor: "test"})
	return err
}

func (n *node) refusals(reason string) float64 {
	// The counters are registered with every reason at 0; read one.
	mfs, _ := n.reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "gostca_otp_send_refused_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" && l.GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return -1
}

// limitedBy checks a refusal by a rate limit with the words of that limit
// and returns its Retry-After.
func limitedBy(t *testing.T, err error, words string) time.Duration {
	t.Helper()
	var oe *otp.Error
	if !errors.As(err, &oe) || oe.Code != otp.CodeRateLimited || !strings.Contains(oe.Detail, words) || oe.RetryAfter <= 0 {
		t.Fatalf("error %v, want %s (%s)", err, otp.CodeRateLimited, words)
	}
	return oe.RetryAfter
}

// TestRateLimitsSurviveRestart: each limit (per phone, per client
// address, per number prefix) exhausted, then the store closed and
// opened again under a new service with an empty memory: the next send
// is still refused, by the same limit and with the Retry-After the
// window has left; the refusal came from the store (the new service had
// nothing in memory), and from then on the memory front refuses without
// the store. The window's end lets codes go again.
func TestRateLimitsSurviveRestart(t *testing.T) {
	for _, tc := range []struct {
		name, reason, words string
		fill                [][2]string // phone, address of the sends that fill the window
		over                [2]string   // the send refused
		other               [2]string   // a send another window takes
	}{
		{"phone", "rate_phone", "for this phone",
			[][2]string{{"+79160000001", "192.0.2.1"}, {"+79160000001", "192.0.2.2"}},
			[2]string{"+79160000001", "192.0.2.3"}, [2]string{"+79160000002", "192.0.2.3"}},
		{"client", "rate_client", "from this address",
			[][2]string{{"+79160000001", "192.0.2.1"}, {"+79170000002", "192.0.2.1"}, {"+79180000003", "192.0.2.1"}},
			[2]string{"+79190000004", "192.0.2.1"}, [2]string{"+79190000004", "192.0.2.2"}},
		{"prefix", "rate_prefix", "for numbers like this one",
			[][2]string{{"+79160000001", "192.0.2.1"}, {"+79160000002", "192.0.2.2"}, {"+79160000003", "192.0.2.3"}, {"+79160000004", "192.0.2.4"}},
			[2]string{"+79160000005", "192.0.2.5"}, [2]string{"+79170000005", "192.0.2.5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "db")
			clk := &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
			start := clk.now()
			n := startNode(t, dir, clk, limitOptions())
			for _, s := range tc.fill {
				clk.add(time.Second)
				if err := n.send(otp.Login, s[0], s[1]); err != nil {
					t.Fatal(err)
				}
			}
			// The send that filled the window taught the memory: the
			// refusal does not reach the store.
			puts := n.st.puts.Load()
			clk.add(time.Second)
			before := limitedBy(t, n.send(otp.Login, tc.over[0], tc.over[1]), tc.words)
			if n.st.puts.Load() != puts {
				t.Error("a refusal of a window known full went to the store")
			}
			if want := start.Add(time.Second + time.Hour).Sub(clk.now()); before != want {
				t.Errorf("Retry-After %s, want %s", before, want)
			}

			clk.add(time.Minute)
			n = n.restart(t, dir, clk, limitOptions())
			after := limitedBy(t, n.send(otp.Login, tc.over[0], tc.over[1]), tc.words)
			if after != before-time.Minute {
				t.Errorf("after the restart Retry-After %s, want %s", after, before-time.Minute)
			}
			if n.st.puts.Load() != 1 {
				t.Errorf("the first refusal after the restart made %d store calls, want 1", n.st.puts.Load())
			}
			clk.add(time.Second)
			limitedBy(t, n.send(otp.Issue, tc.over[0], tc.over[1]), tc.words)
			if n.st.puts.Load() != 1 || n.refusals(tc.reason) != 2 {
				t.Errorf("second refusal: %d store calls, %v %s refusals", n.st.puts.Load(), n.refusals(tc.reason), tc.reason)
			}
			// Another phone (address, prefix) is not limited.
			if err := n.send(otp.Login, tc.other[0], tc.other[1]); err != nil {
				t.Fatalf("another window: %v", err)
			}
			// The window's end.
			clk.t = start.Add(time.Second + time.Hour)
			n = n.restart(t, dir, clk, limitOptions())
			if err := n.send(otp.Login, tc.over[0], tc.over[1]); err != nil {
				t.Fatalf("after the window: %v", err)
			}
		})
	}
}

// TestRateLimitRace: many sends race for a window's last slot, with the
// race detector on: exactly one wins, every other is refused by the
// limit, and after a restart the window is still full.
func TestRateLimitRace(t *testing.T) {
	const racers = 24
	run := func(t *testing.T, opts otp.Options, fill func(n *node) error, racer func(n *node, i int) error, words string, probe func(n *node) error) {
		t.Helper()
		dir := filepath.Join(t.TempDir(), "db")
		clk := &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
		n := startNode(t, dir, clk, opts)
		if err := fill(n); err != nil {
			t.Fatal(err)
		}
		clk.add(time.Second)
		errs := make([]error, racers)
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				errs[i] = racer(n, i)
			}()
		}
		close(gate)
		wg.Wait()
		won := 0
		for i, err := range errs {
			if err == nil {
				won++
				continue
			}
			var oe *otp.Error
			if !errors.As(err, &oe) || oe.Code != otp.CodeRateLimited || !strings.Contains(oe.Detail, words) {
				t.Errorf("racer %d: %v", i, err)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d racers won the last slot, want 1", won, len(errs))
		}
		n = n.restart(t, dir, clk, opts)
		clk.add(time.Second)
		limitedBy(t, probe(n), words)
	}
	t.Run("client", func(t *testing.T) {
		opts := otp.Options{ResendAfter: time.Second, PerClient: otp.Rate{Max: 5, Window: time.Hour}}
		run(t, opts, func(n *node) error {
			for i := 0; i < 4; i++ {
				if err := n.send(otp.Login, fmt.Sprintf("+7916000%04d", i), "192.0.2.1"); err != nil {
					return err
				}
			}
			return nil
		}, func(n *node, i int) error {
			return n.send(otp.Login, fmt.Sprintf("+7917000%04d", i), "192.0.2.1")
		}, "from this address", func(n *node) error { return n.send(otp.Login, "+79990000000", "192.0.2.1") })
	})
	t.Run("prefix", func(t *testing.T) {
		opts := otp.Options{ResendAfter: time.Second, PerPrefix: otp.Rate{Max: 5, Window: time.Hour}, PrefixDigits: 3}
		run(t, opts, func(n *node) error {
			for i := 0; i < 4; i++ {
				if err := n.send(otp.Login, fmt.Sprintf("+7916000%04d", i), fmt.Sprintf("192.0.2.%d", i)); err != nil {
					return err
				}
			}
			return nil
		}, func(n *node, i int) error {
			return n.send(otp.Login, fmt.Sprintf("+7916100%04d", i), fmt.Sprintf("198.51.100.%d", i))
		}, "for numbers like this one", func(n *node) error { return n.send(otp.Login, "+79169999999", "203.0.113.1") })
	})
	t.Run("phone", func(t *testing.T) {
		// One phone's racers need distinct purposes (the resend pause is
		// per phone and purpose); the login takes the first slot.
		opts := otp.Options{ResendAfter: time.Second, PerPhone: otp.Rate{Max: 2, Window: time.Hour}}
		purposes := []otp.Purpose{otp.Issue, otp.Sign, otp.StatusChange}
		for round := 0; round < 8; round++ {
			dir := filepath.Join(t.TempDir(), "db")
			clk := &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
			n := startNode(t, dir, clk, opts)
			if err := n.send(otp.Login, phone, "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			errs := make([]error, len(purposes))
			var wg sync.WaitGroup
			for i, p := range purposes {
				wg.Add(1)
				go func() { defer wg.Done(); errs[i] = n.send(p, phone, fmt.Sprintf("192.0.2.%d", i+2)) }()
			}
			wg.Wait()
			won := 0
			for i, err := range errs {
				if err == nil {
					won++
				} else if !strings.Contains(err.Error(), "for this phone") {
					t.Fatalf("racer %d: %v", i, err)
				}
			}
			if won != 1 {
				t.Fatalf("round %d: %d of %d racers won the last slot, want 1", round, won, len(purposes))
			}
			n.st.Close()
		}
	})
}

// TestRateLimitKeysKeepNoPhone: the store's windows (0x90–0x93) hold
// neither the phone, its prefix nor the address, in any key or value;
// each window's key is HMAC-SHA256(code secret, "gostca otp limit\0" ‖
// limit ‖ value), as store/doc.go says.
func TestRateLimitKeysKeepNoPhone(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	clk := &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	n := startNode(t, dir, clk, limitOptions())
	const ph, addr = "+79161234567", "203.0.113.77"
	if err := n.send(otp.Login, ph, addr); err != nil {
		t.Fatal(err)
	}
	n.st.Close()
	db, err := pebble.Open(dir, &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte{0x90}, UpperBound: []byte{0x94}})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	want := map[string]bool{}
	for id, v := range map[byte]string{1: ph, 2: addr, 3: ph[:6]} {
		m := hmac.New(sha256.New, limitSecret)
		m.Write([]byte("gostca otp limit\x00"))
		m.Write([]byte{id})
		m.Write([]byte(v))
		want[string(append([]byte{0x90, id}, m.Sum(nil)...))] = true
	}
	windows := 0
	for ok := it.First(); ok; ok = it.Next() {
		k, v := it.Key(), it.Value()
		for _, secret := range []string{ph, ph[1:], ph[2:], ph[:6], "9161234", addr} {
			if bytes.Contains(k, []byte(secret)) || bytes.Contains(v, []byte(secret)) {
				t.Fatalf("record %x = %x holds %q", k, v, secret)
			}
		}
		if k[0] == 0x90 {
			windows++
			if !want[string(k)] {
				t.Errorf("window key %x is not the documented HMAC", k)
			}
		}
	}
	if windows != 3 {
		t.Fatalf("%d windows, want 3", windows)
	}
}

// TestRateLimitMetrics: /metrics keeps its names: the limits configured
// and the refusals by reason, front and store refusals alike.
func TestRateLimitMetrics(t *testing.T) {
	clk := &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	n := startNode(t, filepath.Join(t.TempDir(), "db"), clk, limitOptions())
	for i := 0; i < 3; i++ {
		clk.add(time.Second)
		err := n.send(otp.Login, phone, "192.0.2.1")
		if i < 2 && err != nil {
			t.Fatal(err)
		}
	}
	want := `
# HELP gostca_otp_send_refused_total Requests for a code refused, by reason (rate_phone, rate_client, rate_prefix, too_early).
# TYPE gostca_otp_send_refused_total counter
gostca_otp_send_refused_total{reason="rate_client"} 0
gostca_otp_send_refused_total{reason="rate_phone"} 1
gostca_otp_send_refused_total{reason="rate_prefix"} 0
gostca_otp_send_refused_total{reason="too_early"} 0
`
	if err := testutil.GatherAndCompare(n.reg, strings.NewReader(want), "gostca_otp_send_refused_total"); err != nil {
		t.Error(err)
	}
	if got := gauge(t, n.reg, "gostca_otp_limit", "per_phone"); got != 2 {
		t.Errorf("gostca_otp_limit{limit=per_phone} %v", got)
	}
}

// gauge reads a gauge of one label value from reg.
func gauge(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == label {
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no %s{%q}", name, label)
	return 0
}
