package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gostca/gostca/pkix"
)

// TestServeAndAdmin runs `gostca serve` with no configuration on a fresh
// data directory (the embedded default), talks to it over HTTP with the
// printed admin token, stops it like SIGTERM does, then runs the admin
// commands against the data directory.
func TestServeAndAdmin(t *testing.T) {
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10") // fast key files
	dir := filepath.Join(t.TempDir(), "data")
	srv := startServe(t, "--data", dir)
	addr, tok := srv.addr, srv.token
	if tok == "" {
		t.Fatal("no admin token printed on first start")
	}
	if strings.Contains(srv.errb.String(), tok) {
		t.Fatal("the admin token went to the log")
	}
	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/readyz", ""); code != 200 {
		t.Fatalf("readyz: %d %s", code, body)
	}
	if code, body := get("/api/v1/tokens", tok); code != 200 || !strings.Contains(body, `"bootstrap"`) {
		t.Fatalf("tokens: %d %s", code, body)
	}
	if code, _ := get("/api/v1/tokens", ""); code != 401 {
		t.Fatalf("tokens without a token: %d", code)
	}
	// While the server runs, admin commands against the data directory
	// refuse (the store is locked) and say why.
	var o, e bytes.Buffer
	if code := run([]string{"fsck", "--data", dir}, &o, &e); code != 1 || !strings.Contains(e.String(), "server running") {
		t.Fatalf("fsck while serving: %d %s", code, e.String())
	}
	srv.stop()

	cmd := func(want int, args ...string) string {
		t.Helper()
		var o, e bytes.Buffer
		if code := run(args, &o, &e); code != want {
			t.Fatalf("gostca %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, o.String(), e.String())
		}
		return o.String() + e.String()
	}
	if s := cmd(1, "init", "--data", dir); !strings.Contains(s, "already holds a CA") {
		t.Fatalf("init over a CA: %s", s)
	}
	if s := cmd(0, "fsck", "--data", dir); !strings.Contains(s, "ok") {
		t.Fatalf("fsck: %s", s)
	}
	if s := cmd(0, "token", "create", "--data", dir, "--role", "service_centre", "--scope", "c1"); !strings.Contains(s, "gca_") {
		t.Fatalf("token create: %s", s)
	}
	cmd(2, "token", "create", "--data", dir, "--role", "king")
	if s := cmd(0, "token", "list", "--data", dir); strings.Count(s, "\n") != 2 || !strings.Contains(s, "service_centre") {
		t.Fatalf("token list: %s", s)
	}

	// issue from a CSR file and a subject JSON, then revoke, CRL.
	work := t.TempDir()
	csrFile, subjFile := issueFiles(t, work)
	s := cmd(0, "issue", "--data", dir, "--csr", csrFile, "--subject", subjFile, "--out", filepath.Join(work, "cert.pem"))
	serial := regexp.MustCompile(`issued serial ([0-9a-f]+)`).FindStringSubmatch(s)
	if serial == nil {
		t.Fatalf("issue: %s", s)
	}
	if _, err := pkix.ParseCertificate(mustRead(t, filepath.Join(work, "cert.pem"))); err != nil {
		t.Fatal(err)
	}
	cmd(2, "revoke", serial[1], "--data", dir) // no reason
	if s := cmd(0, "revoke", serial[1], "--data", dir, "--reason", "superseded"); !strings.Contains(s, "revoked") {
		t.Fatalf("revoke: %s", s)
	}
	cmd(1, "revoke", serial[1], "--data", dir, "--reason", "superseded")
	cmd(1, "suspend", "abcdef", "--data", dir)
	s = cmd(0, "crl", "--data", dir, "--out", work)
	if !strings.Contains(s, "1 entries") {
		t.Fatalf("crl: %s", s)
	}
	crl, err := pkix.ParseCRL(mustRead(t, filepath.Join(work, "gost256.crl")))
	if err != nil || len(crl.Entries) != 1 || crl.Entries[0].Reason != pkix.ReasonSuperseded {
		t.Fatalf("CRL: %v %+v", err, crl)
	}
	cmd(0, "fsck", "--data", dir)
	cmd(0, "config", "--data", dir)
	cmd(2, "serve", "--data", dir, "--listen", "nonsense")
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
