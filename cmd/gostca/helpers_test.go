package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/internal/openssltest"
	"github.com/gostca/gostca/internal/testlog"
)

// server is a `gostca serve` running in the test process.
type server struct {
	t      *testing.T
	addr   string
	token  string // the admin token printed on first start, if any
	out    *testlog.Buffer
	errb   *testlog.Buffer
	cancel context.CancelFunc
	done   chan int
}

// startServe runs `gostca serve args…` on 127.0.0.1:0 and waits until it
// listens.
func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	addrc := make(chan string, 1)
	onListening = func(a string) { addrc <- a }
	t.Cleanup(func() { onListening = nil })
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{t: t, out: &testlog.Buffer{}, errb: &testlog.Buffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		s.done <- runContext(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), s.out, s.errb)
	}()
	select {
	case s.addr = <-addrc:
	case code := <-s.done:
		cancel()
		t.Fatalf("serve exited %d: %s", code, s.errb.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	t.Cleanup(func() { s.stop() })
	s.token = regexp.MustCompile(`gca_[0-9a-f]{16}_[A-Za-z0-9_-]+`).FindString(s.out.String())
	return s
}

// stop stops the server like SIGTERM and requires a clean exit.
func (s *server) stop() {
	s.t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case code := <-s.done:
		if code != 0 {
			s.t.Fatalf("serve exit %d: %s", code, s.errb.String())
		}
	case <-time.After(30 * time.Second):
		s.t.Fatal("serve did not stop")
	}
}

func (s *server) do(method, path, token string, body any) (int, []byte) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+s.addr+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// openssl runs the openssl command with its gost engine configured
// (openssltest.Gost: it skips, or fails under CI=true, without one), in a
// directory of the test's.
type openssl struct {
	t   *testing.T
	ssl *openssltest.OpenSSL
	dir string
}

func newOpenSSL(t *testing.T) *openssl {
	t.Helper()
	ssl := openssltest.Gost(t)
	return &openssl{t: t, ssl: ssl, dir: ssl.Dir}
}

// verify runs `openssl verify` on leaf (PEM) with the root as trust
// anchor and the issuing CA as untrusted intermediate (PEM or DER files).
func (o *openssl) verify(root, ca string, leaf []byte) {
	o.t.Helper()
	pemOf := func(name, path string) string {
		out := filepath.Join(o.dir, name)
		b, err := o.ssl.Command("x509", "-in", path, "-out", out).CombinedOutput()
		if err != nil {
			b, err = o.ssl.Command("x509", "-inform", "DER", "-in", path, "-out", out).CombinedOutput()
		}
		if err != nil {
			o.t.Fatalf("openssl x509 %s: %v\n%s", path, err, b)
		}
		return out
	}
	r, c := pemOf("root.pem", root), pemOf("ca.pem", ca)
	lf := filepath.Join(o.dir, "leaf.pem")
	os.WriteFile(lf, leaf, 0o600)
	out, err := o.ssl.Command("verify", "-CAfile", r, "-untrusted", c, lf).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "leaf.pem: OK") {
		o.t.Fatalf("openssl verify: %v\n%s", err, out)
	}
}

// cli runs a gostca command and requires exit code want.
func cli(t *testing.T, want int, args ...string) string {
	t.Helper()
	var o, e bytes.Buffer
	if code := run(args, &o, &e); code != want {
		t.Fatalf("gostca %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, o.String(), e.String())
	}
	return o.String() + e.String()
}

// personRequest is the body of an issuance for a qualified person, as
// POST /api/v1/certificates and `gostca issue --subject` take it; csr is
// left out when empty.
func personRequest(csr []byte) map[string]any {
	r := map[string]any{"profile": "qualified-person", "subject_sign_tool": "tool", "subject": map[string]string{
		"common_name": "Иванов Иван", "surname": "Иванов", "given_name": "Иван", "country": "RU",
		"snils": "11223344595", "inn": "500100123426"}}
	if len(csr) > 0 {
		r["csr"] = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}))
	}
	return r
}

// newCSR is a request for a fresh tc26-256-A key.
func newCSR(t *testing.T) []byte { return catest.CSR(t, "tc26-256-A") }

// issueFiles writes what `gostca issue` takes into dir: a fresh request
// (PEM) and the subject JSON of a qualified person.
func issueFiles(t *testing.T, dir string) (csrFile, subjectFile string) {
	t.Helper()
	csrFile, subjectFile = filepath.Join(dir, "req.csr"), filepath.Join(dir, "subject.json")
	subj, _ := json.Marshal(personRequest(nil))
	if err := os.WriteFile(csrFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: newCSR(t)}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(subjectFile, subj, 0o600); err != nil {
		t.Fatal(err)
	}
	return csrFile, subjectFile
}

// centreApplication is a natural-person application a service centre's
// token opened on a running serve, as the API last answered it.
type centreApplication struct {
	srv   *server
	token string // the centre's API token
	appView
}

type appView struct {
	ID        string
	Version   uint64
	Documents []struct{ ID, SHA256 string }
}

// newCentreApplication makes a service_centre token (centre-1) and opens
// an application with it.
func newCentreApplication(t *testing.T, srv *server) *centreApplication {
	t.Helper()
	code, out := srv.do("POST", "/api/v1/tokens", srv.token, map[string]string{"role": "service_centre", "scope": "centre-1", "name": "desk"})
	var tok struct{ Token string }
	if code != 201 || json.Unmarshal(out, &tok) != nil || tok.Token == "" {
		t.Fatalf("token: %d %s", code, out)
	}
	a := &centreApplication{srv: srv, token: tok.Token}
	code, out = srv.do("POST", "/api/v1/applications", tok.Token, map[string]string{"cert_type": "natural-person", "phone": "+79161234567"})
	if code != 201 || json.Unmarshal(out, &a.appView) != nil {
		t.Fatalf("create: %d %s", code, out)
	}
	return a
}

// upload adds a one-page PDF saying content as a document of type typ.
func (a *centreApplication) upload(t *testing.T, typ, content string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+a.srv.addr+"/api/v1/applications/"+a.ID+"/documents?type="+typ,
		strings.NewReader("%PDF-1.4\n% "+content+"\n%%EOF\n"))
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("If-Match", strconv.FormatUint(a.Version, 10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 || json.Unmarshal(b, &a.appView) != nil {
		t.Fatalf("upload: %d %s", resp.StatusCode, b)
	}
}
