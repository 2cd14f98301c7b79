package hooks_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hooks"
	"github.com/gostca/gostca/hooks/message"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/store"
)

// connector is a fake ESIA connector on loopback: it fails the first
// failures POSTs with 503, then accepts and records.
type connector struct {
	mu       sync.Mutex
	failures int
	calls    int
	got      []message.ESIARegistration
	headers  []http.Header
}

// moscow is the time zone of ESIA's dates (UTC+3, no daylight saving).
var moscow = time.FixedZone("MSK", 3*3600)

func (c *connector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.calls <= c.failures {
		http.Error(w, "connector busy", http.StatusServiceUnavailable)
		return
	}
	var doc message.ESIARegistration
	if err := json.Unmarshal(body, &doc); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.got = append(c.got, doc)
	c.headers = append(c.headers, r.Header.Clone())
	w.WriteHeader(http.StatusAccepted)
}

func (c *connector) delivered() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.got)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func hookConfig(t *testing.T, url string) config.Config {
	cfg := catest.Config(t)
	cfg.Hooks.ESIAURL = url
	cfg.Hooks.AllowHTTPLoopback = true // the fake connector is plain http on 127.0.0.1
	cfg.Hooks.PollInterval = 50 * time.Millisecond
	cfg.Hooks.MaxBackoff = 50 * time.Millisecond
	return cfg
}

// TestESIAHookDelivery: a qualified certificate is registered with the
// connector after two failed attempts; the document describes the stored
// certificate; the row is done with its attempts recorded; the metrics
// count the attempts and the lag.
func TestESIAHookDelivery(t *testing.T) {
	conn := &connector{failures: 2}
	srv := httptest.NewServer(conn)
	defer srv.Close()
	cfg := hookConfig(t, srv.URL+"/esia")
	tokenFile := filepath.Join(t.TempDir(), "esia-token")
	if err := os.WriteFile(tokenFile, []byte("s3cret-connector-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Hooks.ESIATokenFile = tokenFile
	e := catest.Open(t, cfg)
	ctx := context.Background()
	r := catest.Issue(t, e)
	waitFor(t, "the ESIA registration", func() bool { return conn.delivered() == 1 })

	conn.mu.Lock()
	doc, h := conn.got[0], conn.headers[0]
	calls := conn.calls
	conn.mu.Unlock()
	serial := ca.FormatSerial(r.Cert.Serial)
	if calls != 3 {
		t.Errorf("connector saw %d calls, want 3 (2 refused, 1 accepted)", calls)
	}
	if doc.Serial != serial || doc.SNILS != "11223344595" || doc.INN != "500100123426" || doc.Surname != "Иванов" ||
		doc.FirstName != "Иван" || doc.OwnerType != "person" || doc.Issuer != r.Cert.IssuerID ||
		doc.IssuerOrganization != cfg.CA.Organization || string(doc.Certificate) != string(r.Cert.DER) ||
		!doc.NotAfter.Equal(r.Cert.NotAfter) || doc.Attempt != 3 {
		t.Errorf("document: %+v", doc)
	}
	if want := r.Cert.NotBefore.In(moscow).Format("02.01.2006"); doc.ValidFrom != want || len(doc.ValidTo) != 10 {
		t.Errorf("dates %q %q, want valid_from %q", doc.ValidFrom, doc.ValidTo, want)
	}
	if h.Get("Idempotency-Key") != "esia-"+serial || h.Get("Authorization") != "Bearer s3cret-connector-token" ||
		h.Get("Content-Type") != "application/json" {
		t.Errorf("headers: %v", h)
	}
	id, err := strconv.ParseUint(h.Get("X-GostCA-Delivery"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	// The connector answers before the row is marked and counted.
	waitFor(t, "the row marked done and counted", func() bool {
		row, err := e.Store().Outbox(ctx, id)
		return err == nil && row.Done && deliveries(t, e, "ok") == 1
	})
	row, _ := e.Store().Outbox(ctx, id)
	if row.Attempts != 2 || !strings.Contains(row.LastError, "503") || strings.Contains(row.LastError, "s3cret") ||
		string(row.Serial) != string(r.Cert.Serial) || row.Kind != hooks.HookESIA {
		t.Errorf("row: %+v", row)
	}
	if n := deliveries(t, e, "error"); n != 2 {
		t.Errorf("error deliveries metric %v, want 2", n)
	}
	if n := deliveries(t, e, "ok"); n != 1 {
		t.Errorf("ok deliveries metric %v, want 1", n)
	}
	if n, err := testutil.GatherAndCount(e.Registry(), "gostca_hook_delivery_lag_seconds"); err != nil || n != 1 {
		t.Errorf("lag histogram series %d", n)
	}
	// The certificate is not sent again.
	time.Sleep(200 * time.Millisecond)
	if n := conn.delivered(); n != 1 {
		t.Errorf("delivered %d times", n)
	}
}

// TestESIAHookQueuedWithoutConnector: with no connector configured the
// registration waits in the outbox; a restart with the connector sends it.
// A non-qualified profile gets no row.
func TestESIAHookQueuedWithoutConnector(t *testing.T) {
	cfg := catest.Config(t)
	e := catest.Open(t, cfg)
	ctx := context.Background()
	r := catest.Issue(t, e)
	rows, err := e.Store().OutboxPending(ctx, hooks.HookESIA, 10)
	if err != nil || len(rows) != 1 || string(rows[0].Serial) != string(r.Cert.Serial) {
		t.Fatalf("pending rows %v %+v", err, rows)
	}
	if hooks.OutboxFor("tls-client") != nil || hooks.OutboxFor("issuing-ca") != nil || hooks.OutboxFor("nonsense") != nil {
		t.Error("rows for a profile that is not qualified")
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	conn := &connector{}
	srv := httptest.NewServer(conn)
	defer srv.Close()
	cfg.Hooks.ESIAURL, cfg.Hooks.AllowHTTPLoopback = srv.URL, true
	cfg.Hooks.PollInterval = 50 * time.Millisecond
	e2 := catest.Open(t, cfg)
	waitFor(t, "the queued registration", func() bool { return conn.delivered() == 1 })
	if conn.got[0].Serial != ca.FormatSerial(r.Cert.Serial) {
		t.Errorf("delivered %s", conn.got[0].Serial)
	}
	waitFor(t, "the outbox drained", func() bool {
		rows, err := e2.Store().OutboxPending(ctx, hooks.HookESIA, 10)
		return err == nil && len(rows) == 0
	})
}

// TestESIAHookConnectorDown: a connector that refuses connections leaves
// the row pending with growing attempts and a clear error; nothing is lost.
func TestESIAHookConnectorDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	cfg := hookConfig(t, url)
	e := catest.Open(t, cfg)
	ctx := context.Background()
	r := catest.Issue(t, e)
	var row store.OutboxRow
	waitFor(t, "two failed attempts", func() bool {
		rows, err := e.Store().OutboxPending(ctx, hooks.HookESIA, 10)
		if err != nil || len(rows) != 1 {
			// between attempts the row may not be due yet: look it up by id
			return false
		}
		row = rows[0]
		return row.Attempts >= 2
	})
	if string(row.Serial) != string(r.Cert.Serial) || !strings.Contains(row.LastError, "POST") || strings.Contains(row.LastError, url) {
		t.Errorf("row %+v", row)
	}
}

func TestHookBackoff(t *testing.T) {
	for _, c := range []struct {
		attempts int
		want     time.Duration
	}{{0, 2 * time.Second}, {1, 4 * time.Second}, {5, 64 * time.Second}, {20, time.Hour}, {1000, time.Hour}} {
		if got := hooks.HookBackoff(c.attempts, 2*time.Second, time.Hour); got != c.want {
			t.Errorf("backoff(%d) = %v, want %v", c.attempts, got, c.want)
		}
	}
}

// deliveries is gostca_hook_deliveries_total{kind="esia",result} on e's
// registry (0 before the first).
func deliveries(t *testing.T, e *ca.CA, result string) float64 {
	t.Helper()
	mfs, err := e.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "gostca_hook_deliveries_total" {
			continue
		}
		for _, m := range mf.Metric {
			labels := map[string]string{}
			for _, l := range m.Label {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] == hooks.HookESIA && labels["result"] == result {
				return m.Counter.GetValue()
			}
		}
	}
	return 0
}

// TestCloseCancelsHungDelivery: a connector that never answers does not
// hold up Close: the CA's lifetime context ends the delivery in flight,
// Close waits for the worker, and the row stays due for the next start.
func TestCloseCancelsHungDelivery(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	cfg := hookConfig(t, srv.URL+"/esia")
	cfg.Hooks.Timeout = time.Hour // only the lifetime context can end the call
	e, err := ca.Open(context.Background(), cfg, ca.Options{Logger: catest.Quiet(), CreateDefault: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Issue(context.Background(), catest.Admin, catest.PersonRequest(t)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the delivery never reached the connector")
	}
	start := time.Now()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Close took %v with a hung connector", d)
	}
	cfg.Hooks.ESIAURL = ""
	e = catest.Open(t, cfg)
	rows, err := e.Store().OutboxPending(context.Background(), hooks.HookESIA, 10)
	if err != nil || len(rows) != 1 || rows[0].Done {
		t.Fatalf("after Close: %d due rows, %v", len(rows), err)
	}
}
