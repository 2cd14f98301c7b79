package hooks_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hooks"
	"github.com/gostca/gostca/hooks/message"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/store"
)

// TestRenewalReminders: a valid certificate gets one reminder for the
// threshold it has crossed, not again on a later pass or after a
// restart, and one more when it crosses the next threshold; the e-mail
// comes from the configured template, signed.
func TestRenewalReminders(t *testing.T) {
	var mu sync.Mutex
	var got []message.EmailMessage
	seen := map[string]bool{} // a receiver takes each webhook-id once (delivery is at least once)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m message.EmailMessage
		if r.Header.Get("webhook-signature") == "" || json.Unmarshal(b, &m) != nil {
			http.Error(w, "bad", 400)
			return
		}
		mu.Lock()
		if id := r.Header.Get("webhook-id"); !seen[id] {
			seen[id] = true
			got = append(got, m)
		}
		mu.Unlock()
	}))
	defer srv.Close()
	sec := filepath.Join(t.TempDir(), "renewal.key")
	if err := os.WriteFile(sec, []byte("whsec_"+base64.StdEncoding.EncodeToString([]byte("renewal secret of 32 bytes......"))), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := catest.Config(t)
	cfg.Hooks.PollInterval = 20 * time.Millisecond
	cfg.Hooks.AllowHTTPLoopback = true
	cfg.Hooks.Kinds = map[string]config.HookKindConfig{"renewal": {URL: srv.URL, SecretFiles: []string{sec}}}
	cfg.Hooks.RenewalDays = []int{10, 3000, 500}
	cfg.Hooks.Templates = map[string]config.NoticeTemplate{"renewal": {Subject: "осталось {days} дн.", Body: "{serial} до {not_after}"}}
	e := catest.Open(t, cfg)
	req := catest.PersonRequest(t)
	req.Subject.Email = "anna@example.ru"
	r, err := e.Issue(context.Background(), catest.Admin, req)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	left := time.Until(r.Cert.NotAfter)
	if left > 500*24*time.Hour || left < 11*24*time.Hour {
		t.Fatalf("certificate validity %v does not fit the thresholds", left)
	}
	rows := func() []store.OutboxRow {
		all, err := e.Store().OutboxList(ctx, hooks.HookRenewal, store.OutboxAny, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []store.OutboxRow
		for _, row := range all {
			if row.Kind == hooks.HookRenewal {
				out = append(out, row)
			}
		}
		return out
	}
	for range 2 {
		if _, err := e.Hooks().RenewalPass(ctx, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(rows()); n != 1 {
		t.Fatalf("%d reminder rows after two passes, want 1", n)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = catest.Open(t, cfg)
	if _, err := e.Hooks().RenewalPass(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := len(rows()); n != 1 {
		t.Fatalf("%d reminder rows after a restart, want 1", n)
	}
	// Eight days before expiry: the 10-day threshold.
	if _, err := e.Hooks().RenewalPass(ctx, r.Cert.NotAfter.Add(-8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := len(rows()); n != 2 {
		t.Fatalf("%d reminder rows after the 10-day threshold, want 2", n)
	}
	waitFor(t, "two reminders delivered", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 2
	})
	mu.Lock()
	defer mu.Unlock()
	// Both rows may be due at once, and deliveries run in parallel: the
	// order of arrival is not the order of the thresholds.
	var subjects []string
	for _, m := range got {
		if m.To != "anna@example.ru" {
			t.Errorf("reminder to %q", m.To)
		}
		subjects = append(subjects, m.Subject)
	}
	slices.Sort(subjects)
	if subjects[0] != "осталось 10 дн." || subjects[1] != "осталось 500 дн." {
		t.Errorf("messages %+v", got)
	}
}
