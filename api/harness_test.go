package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/internal/openssltest"
	"github.com/gostca/gostca/pkix"
)

// testServer is a real gostca server on 127.0.0.1 with a fresh data
// directory, the default CA and one token per role.
type testServer struct {
	e      *ca.CA
	srv    *api.Server
	addr   string
	base   string
	dir    string
	tokens map[auth.Role]string
	client *http.Client
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func startServer(t testing.TB, mutate func(*config.Config)) *testServer {
	t.Helper()
	return startServerOpts(t, mutate, nil)
}

// startServerOpts is startServer with the server's options changed by
// mutOpts (limits, logger).
func startServerOpts(t testing.TB, mutate func(*config.Config), mutOpts func(*api.Options)) *testServer {
	t.Helper()
	return startServerOn(t, listenLoopback(t), serverSetup{mutate: mutate, apiOpts: mutOpts})
}

// serverSetup changes what a test server starts with; a nil field
// changes nothing.
type serverSetup struct {
	mutate  func(*config.Config) // the configuration
	caOpts  func(*ca.Options)    // the CA's options
	apiOpts func(*api.Options)   // the server's options (limits, logger)
}

// listenLoopback opens a listener on 127.0.0.1 at a free port.
func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// startServerOn starts a test server on a listener the caller opened, so
// that a peer the configuration names (the hook simulator) can be given
// the server's address first. The configuration's public URL is the
// listener's; the server owns ln from here on.
func startServerOn(t testing.TB, ln net.Listener, setup serverSetup) *testServer {
	t.Helper()
	dir := t.TempDir()
	cfg := config.DefaultConfig()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Keys.ScryptLogN = 10 // key files: fast to open in tests
	cfg.Server.Listen = "127.0.0.1:0"
	if setup.mutate != nil {
		setup.mutate(&cfg)
	}
	cfg.Server.PublicURL = "http://" + ln.Addr().String()
	caOpts := ca.Options{Logger: quietLogger(), CreateDefault: true}
	if setup.caOpts != nil {
		setup.caOpts(&caOpts)
	}
	e, err := ca.Open(context.Background(), cfg, caOpts)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	ts := &testServer{e: e, addr: ln.Addr().String(), base: "http://" + ln.Addr().String(), dir: dir,
		tokens: map[auth.Role]string{}, client: &http.Client{Timeout: 30 * time.Second}}
	for _, r := range auth.Roles {
		scope := ""
		if r == auth.RoleServiceCentre {
			scope = "centre-1"
		}
		tok, _, err := e.CreateToken(context.Background(), "test", r, scope, "test "+string(r))
		if err != nil {
			t.Fatal(err)
		}
		ts.tokens[r] = tok
	}
	opts := api.Options{MaxBodyBytes: cfg.Server.MaxBodyBytes, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 10 * time.Second, Logger: quietLogger()}
	if setup.apiOpts != nil {
		setup.apiOpts(&opts)
	}
	ts.srv = api.New(e, opts)
	done := make(chan error, 1)
	go func() { done <- ts.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ts.client.CloseIdleConnections()
		if err := ts.srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		<-done
		if err := e.Close(); err != nil {
			t.Errorf("CA close: %v", err)
		}
	})
	return ts
}

// do sends a request; token "" sends none.
func (ts *testServer) do(t testing.TB, method, path, token, contentType string, body []byte, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

func (ts *testServer) json(t *testing.T, method, path string, role auth.Role, v any, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	var body []byte
	if v != nil {
		body = mustJSON(t, v)
	}
	ct := ""
	if v != nil {
		ct = "application/json"
	}
	return ts.do(t, method, path, ts.tokens[role], ct, body, hdr...)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode[T any](t *testing.T, data []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, data)
	}
	return v
}

func wantStatus(t *testing.T, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
}

// wantProblem checks an RFC 9457 answer with the given status and code.
func wantProblem(t *testing.T, resp *http.Response, body []byte, status int, code string) wire.Problem {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d (%s): %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, code, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q: %s", ct, body)
	}
	p := decode[wire.Problem](t, body)
	if p.Code != code || p.Status != status || p.Type != "urn:gostca:problem:"+code || p.Title == "" {
		t.Fatalf("problem %+v, want code %s", p, code)
	}
	return p
}

// Subjects for every subscriber profile (valid checksums).
func subjectFor(profile string) api.SubjectJSON {
	person := api.SubjectJSON{CommonName: "Иванов Иван Иванович", Surname: "Иванов", GivenName: "Иван Иванович",
		Country: "RU", SNILS: "11223344595", INN: "500100123426"}
	switch profile {
	case pkix.ProfileQualifiedEntrepreneur.Name:
		person.OGRNIP = "304500116000102"
	case pkix.ProfileQualifiedLegalEntityHead.Name:
		person.INN = ""
		person.Region, person.Locality, person.Organization, person.Title = "77 г. Москва", "Москва", "ООО «Ромашка»", "Генеральный директор"
		person.INNLE, person.OGRN = "7707083893", "1027700132195"
	case pkix.ProfileQualifiedEmployee.Name:
		person.Organization, person.Title = "ООО «Ромашка»", "Бухгалтер"
	case pkix.ProfileTLSClient.Name, pkix.ProfileOCSPSigner.Name:
		return api.SubjectJSON{CommonName: "service.example.ru", Country: "RU"}
	}
	return person
}

func issueBody(profile string, csr []byte) api.IssueRequest {
	return api.IssueRequest{CSR: string(csr), Profile: profile, Subject: subjectFor(profile),
		SubjectSignTool: `"КриптоПро CSP" (версия 5.0)`}
}

// goCSR makes a request with a fresh tc26-256-A key in Go (fast; the
// OpenSSL-made ones are in the end-to-end test).
func goCSR(t *testing.T) []byte { return catest.CSR(t, "tc26-256-A") }

// ---- OpenSSL with the gost engine ----

// ossl runs openssl with the gost engine (openssltest.Gost: missing, the
// test skips locally and fails under CI=true) in a directory of the
// test's, where write and read put and take its files.
type ossl struct {
	t   *testing.T
	ssl *openssltest.OpenSSL
	dir string
}

func newOSSL(t *testing.T) *ossl {
	t.Helper()
	ssl := openssltest.Gost(t)
	return &ossl{t: t, ssl: ssl, dir: ssl.Dir}
}

func (o *ossl) try(args ...string) (string, error) {
	cmd := o.ssl.Command(args...)
	cmd.Dir = o.dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (o *ossl) run(args ...string) string {
	o.t.Helper()
	out, err := o.try(args...)
	if err != nil {
		o.t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (o *ossl) write(name string, data []byte) string {
	o.t.Helper()
	if err := os.WriteFile(filepath.Join(o.dir, name), data, 0o600); err != nil {
		o.t.Fatal(err)
	}
	return name
}

func (o *ossl) read(name string) []byte {
	o.t.Helper()
	b, err := os.ReadFile(filepath.Join(o.dir, name))
	if err != nil {
		o.t.Fatal(err)
	}
	return b
}

// csr makes a key and a PKCS#10 request with `openssl req`.
func (o *ossl) csr(name, alg, paramset string) []byte {
	o.t.Helper()
	o.run("req", "-new", "-newkey", alg, "-pkeyopt", "paramset:"+paramset, "-nodes",
		"-keyout", name+".key", "-out", name+".csr", "-subj", "/CN="+name)
	return o.read(name + ".csr")
}

// writeChain puts the root and the default issuing CA's certificates, as
// the server publishes them, into o's directory: root.der, ca.der,
// root.pem, ca.pem.
func (ts *testServer) writeChain(t *testing.T, o *ossl) {
	t.Helper()
	for _, f := range []struct{ path, name string }{{"/ca/root.crt", "root"}, {"/ca/gost256.crt", "ca"}} {
		resp, der := ts.do(t, "GET", f.path, "", "", nil)
		wantStatus(t, resp, der, 200)
		o.write(f.name+".der", der)
		o.run("x509", "-inform", "DER", "-in", f.name+".der", "-out", f.name+".pem")
	}
}
