package apiclient

import (
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// flagsFor parses args into Flags as a command does.
func flagsFor(t *testing.T, args ...string) *Flags {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var r Flags
	r.Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return &r
}

// TestClientFromFlags: the client is made only from an http(s) URL
// without credentials and a token read from a private file or the
// environment; each refusal says what to give instead.
func TestClientFromFlags(t *testing.T) {
	t.Setenv(EnvURL, "")
	t.Setenv(EnvToken, "")
	t.Setenv(EnvTokenFile, "")
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte("s3cret-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(dir, "open")
	if err := os.WriteFile(open, []byte("s3cret-token\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--server", "ftp://h", "--token-file", tok}, "want an http:// or https:// URL"},
		{[]string{"--server", "http://", "--token-file", tok}, "want an http:// or https:// URL"},
		{[]string{"--server", "http://u:p@h", "--token-file", tok}, "credentials in the URL are not accepted"},
		{[]string{"--server", "http://h"}, "no API token"},
		{[]string{"--server", "http://h", "--token-file", open}, "token file"},
		{[]string{"--server", "https://h", "--token-file", tok, "--tls-ca", tok}, "no PEM certificates"},
	} {
		_, err := flagsFor(t, c.args...).Client()
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%q: %v, want %q", c.args, err, c.want)
		}
	}
	if flagsFor(t).Enabled() {
		t.Error("API mode without --server")
	}
	t.Setenv(EnvToken, " from-env ")
	cl, err := flagsFor(t, "--server", "http://h/").Client()
	if err != nil || cl.token != "from-env" || cl.base != "http://h" {
		t.Fatalf("client from %s: %+v %v", EnvToken, cl, err)
	}
}

// TestAnswers: 2xx answers decode, problem+json answers become
// *ProblemError with their code and fields, other answers name the
// request and the status; Download streams a 200 and refuses the rest
// the same way; Fetch's 404 is ErrNotFound.
func TestAnswers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/crl/x.crl" && r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte(`{"n":7}`))
		case "/problem":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"title":"Bad request","status":400,"code":"subject_invalid","detail":"no","fields":["inn","snils"]}`))
		case "/plain":
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("upstream down"))
		case "/big":
			w.Write([]byte(strings.Repeat("z", 100)))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := &Client{base: srv.URL, token: "tok", http: srv.Client()}
	ctx := context.Background()

	var out struct{ N int }
	if err := c.Do(ctx, http.MethodGet, "/ok", nil, &out); err != nil || out.N != 7 {
		t.Fatalf("ok: %+v %v", out, err)
	}
	err := c.Do(ctx, http.MethodPost, "/problem", map[string]string{"a": "b"}, nil)
	var pe *ProblemError
	if !errors.As(err, &pe) || pe.Status != 400 || pe.Problem.Code != "subject_invalid" ||
		err.Error() != "server: 400 Bad request (subject_invalid): no [fields inn, snils]" {
		t.Fatalf("problem: %v", err)
	}
	if err := c.Do(ctx, http.MethodGet, "/plain", nil, nil); err == nil || err.Error() != "GET /plain: server answered 502 Bad Gateway" {
		t.Fatalf("plain error: %v", err)
	}

	body, err := c.Download(ctx, "/big")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(body)
	body.Close()
	if len(b) != 100 {
		t.Fatalf("download: %d bytes", len(b))
	}
	if _, err := c.Download(ctx, "/problem"); !errors.As(err, &pe) {
		t.Fatalf("download of a problem: %v", err)
	}
	if _, err := c.Download(ctx, "/plain"); err == nil || err.Error() != "GET /plain: server answered 502 Bad Gateway" {
		t.Fatalf("download of a plain error: %v", err)
	}
	if _, err := c.Fetch(ctx, "/crl/x.crl"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("fetch of a missing CRL: %v", err)
	}
	bad := &Client{base: srv.URL, token: "wrong", http: srv.Client()}
	if err := bad.Do(ctx, http.MethodGet, "/ok", nil, nil); err == nil || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("a refused token: %v", err)
	}
}
