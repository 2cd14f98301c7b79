package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/internal/testlog"
)

// TestMetricsToken: with server.metrics_token_file, /metrics answers only
// the scraper's bearer token (API tokens do not count); a token file
// others can read, or an empty one, stops serve before it listens.
func TestMetricsToken(t *testing.T) {
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	dir := filepath.Join(t.TempDir(), "data")
	secret := filepath.Join(t.TempDir(), "metrics.token")
	if err := os.WriteFile(secret, []byte("scrape-me-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOSTCA_SERVER_METRICS_TOKEN_FILE", secret)
	s := startServe(t, "--data", dir)
	for _, tok := range []string{"", "scrape-me", "scrape-me-0123456789x", s.token} {
		if code, body := s.do("GET", "/metrics", tok, nil); code != 401 || strings.Contains(string(body), "scrape-me") {
			t.Fatalf("/metrics with token %q: %d %s", tok, code, body)
		}
	}
	if code, body := s.do("GET", "/metrics", "scrape-me-0123456789", nil); code != 200 || !strings.Contains(string(body), "gostca_issuance_queue_depth") {
		t.Fatalf("/metrics with the token: %d", code)
	}
	if code, _ := s.do("GET", "/healthz", "", nil); code != 200 {
		t.Fatalf("/healthz: %d", code)
	}
	s.stop()
	if strings.Contains(s.errb.String(), "scrape-me") {
		t.Fatal("the metrics token reached the log")
	}

	for name, setup := range map[string]func() error{
		"readable by others": func() error { return os.WriteFile(secret, []byte("scrape-me-0123456789"), 0o644) },
		"empty":              func() error { return os.WriteFile(secret, []byte("\n"), 0o600) },
	} {
		os.Remove(secret)
		if err := setup(); err != nil {
			t.Fatal(err)
		}
		var out, errb testlog.Buffer
		code := runContext(t.Context(), []string{"serve", "--data", dir, "--listen", "127.0.0.1:0"}, &out, &errb)
		if code != 1 || !strings.Contains(errb.String(), "metrics_token_file") || strings.Contains(errb.String(), "scrape-me") {
			t.Fatalf("%s: exit %d: %s", name, code, errb.String())
		}
	}
}
