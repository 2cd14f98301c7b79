package engine

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

	"github.com/gostca/gostca/store"
)

// connector is a fake ESIA connector on loopback: it fails the first
// failures POSTs with 503, then accepts and records.
type connector struct {
	mu       sync.Mutex
	failures int
	calls    int
	got      []ESIARegistration
	headers  []http.Header
}

func (c *connector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.calls <= c.failures {
		http.Error(w, "connector busy", http.StatusServiceUnavailable)
		return
	}
	var doc ESIARegistration
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

func hookConfig(t *testing.T, url string) Config {
	cfg := testConfig(t)
	cfg.Hooks.ESIAURL = url
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
	e := openTest(t, cfg)
	ctx := context.Background()
	r, err := e.Issue(ctx, admin, personRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the ESIA registration", func() bool { return conn.delivered() == 1 })

	conn.mu.Lock()
	doc, h := conn.got[0], conn.headers[0]
	calls := conn.calls
	conn.mu.Unlock()
	serial := FormatSerial(r.Cert.Serial)
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
		row, err := e.st.Outbox(ctx, id)
		return err == nil && row.Done && testutil.ToFloat64(e.m.hookDeliveries.WithLabelValues(HookESIA, "ok")) == 1
	})
	row, _ := e.st.Outbox(ctx, id)
	if row.Attempts != 2 || !strings.Contains(row.LastError, "503") || strings.Contains(row.LastError, "s3cret") ||
		string(row.Serial) != string(r.Cert.Serial) || row.Kind != HookESIA {
		t.Errorf("row: %+v", row)
	}
	if n := testutil.ToFloat64(e.m.hookDeliveries.WithLabelValues(HookESIA, "error")); n != 2 {
		t.Errorf("error deliveries metric %v, want 2", n)
	}
	if n := testutil.ToFloat64(e.m.hookDeliveries.WithLabelValues(HookESIA, "ok")); n != 1 {
		t.Errorf("ok deliveries metric %v, want 1", n)
	}
	if n := testutil.CollectAndCount(e.m.hookLag, "gostca_hook_delivery_lag_seconds"); n != 1 {
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
	cfg := testConfig(t)
	e := openTest(t, cfg)
	ctx := context.Background()
	r, err := e.Issue(ctx, admin, personRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.st.OutboxPending(ctx, HookESIA, 10)
	if err != nil || len(rows) != 1 || string(rows[0].Serial) != string(r.Cert.Serial) {
		t.Fatalf("pending rows %v %+v", err, rows)
	}
	if outboxFor("tls-client") != nil || outboxFor("issuing-ca") != nil || outboxFor("nonsense") != nil {
		t.Error("rows for a profile that is not qualified")
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	conn := &connector{}
	srv := httptest.NewServer(conn)
	defer srv.Close()
	cfg.Hooks.ESIAURL = srv.URL
	cfg.Hooks.PollInterval = 50 * time.Millisecond
	e2 := openTest(t, cfg)
	waitFor(t, "the queued registration", func() bool { return conn.delivered() == 1 })
	if conn.got[0].Serial != FormatSerial(r.Cert.Serial) {
		t.Errorf("delivered %s", conn.got[0].Serial)
	}
	waitFor(t, "the outbox drained", func() bool {
		rows, err := e2.st.OutboxPending(ctx, HookESIA, 10)
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
	e := openTest(t, cfg)
	ctx := context.Background()
	r, err := e.Issue(ctx, admin, personRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	var row store.OutboxRow
	waitFor(t, "two failed attempts", func() bool {
		rows, err := e.st.OutboxPending(ctx, HookESIA, 10)
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
		if got := hookBackoff(c.attempts, time.Hour); got != c.want {
			t.Errorf("backoff(%d) = %v, want %v", c.attempts, got, c.want)
		}
	}
}

func TestHooksConfigValidate(t *testing.T) {
	for _, c := range []struct {
		url  string
		conc int
		ok   bool
	}{{"", 4, true}, {"http://127.0.0.1:9/esia", 4, true}, {"https://connector/x", 1, true},
		{"ftp://x/y", 4, false}, {"127.0.0.1:9", 4, false}, {"http://", 4, false}, {"http://x", 0, false}} {
		cfg := DefaultConfig()
		cfg.Hooks.ESIAURL, cfg.Hooks.Concurrency = c.url, c.conc
		if err := cfg.Validate(); (err == nil) != c.ok {
			t.Errorf("%q/%d: %v", c.url, c.conc, err)
		}
	}
}
