package main

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/pkix"
)

// TestAdminOverAPI: while the server runs (and holds the data directory),
// the admin commands work through its HTTP API with an API token: issue
// (DER and PEM CSRs), suspend, resume, revoke, crl, token create / list /
// revoke; errors come back as the server's problem codes; the token never
// appears in the output; the audit log names the token, not the CLI user.
func TestAdminOverAPI(t *testing.T) {
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	t.Setenv(apiclient.EnvURL, "")
	t.Setenv(apiclient.EnvToken, "")
	t.Setenv(apiclient.EnvTokenFile, "")
	dir := filepath.Join(t.TempDir(), "data")
	srv := startServe(t, "--data", dir)
	work := t.TempDir()
	tokFile := filepath.Join(work, "token")
	if err := os.WriteFile(tokFile, []byte(srv.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url := "http://" + srv.addr
	cmd := func(want int, args ...string) string {
		t.Helper()
		var o, e bytes.Buffer
		code := run(args, &o, &e)
		out := o.String() + e.String()
		if code != want {
			t.Fatalf("gostca %s: exit %d, want %d\n%s", strings.Join(args, " "), code, want, out)
		}
		if strings.Contains(out, srv.token) {
			t.Fatalf("gostca %s printed the API token", strings.Join(args, " "))
		}
		return out
	}
	api := []string{"--server", url, "--token-file", tokFile}

	subj, _ := json.Marshal(personRequest(nil))
	os.WriteFile(filepath.Join(work, "subject.json"), subj, 0o600)
	var serials []string
	for i := range 2 {
		csr := newCSR(t)
		csrFile := filepath.Join(work, "req.der")
		if i == 1 {
			csr = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})
			csrFile = filepath.Join(work, "req.pem")
		}
		os.WriteFile(csrFile, csr, 0o600)
		certFile := filepath.Join(work, "cert.pem")
		s := cmd(0, append([]string{"issue", "--csr", csrFile, "--subject", filepath.Join(work, "subject.json"), "--out", certFile}, api...)...)
		m := regexp.MustCompile(`issued serial ([0-9a-f]+) by gost256`).FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("issue: %s", s)
		}
		cert, err := pkix.ParseCertificate(mustRead(t, certFile))
		if err != nil || cert.SerialNumber.Text(16) != m[1] {
			t.Fatalf("issued certificate: %v", err)
		}
		serials = append(serials, m[1])
	}
	// The same key again: the server's problem code comes back.
	if s := cmd(1, append([]string{"issue", "--csr", filepath.Join(work, "req.pem"), "--subject", filepath.Join(work, "subject.json")}, api...)...); !strings.Contains(s, "key_reused") && !strings.Contains(s, "409") {
		t.Fatalf("issue with a reused key: %s", s)
	}
	if s := cmd(0, append([]string{"suspend", serials[0]}, api...)...); !strings.Contains(s, serials[0]+": on_hold") {
		t.Fatalf("suspend: %s", s)
	}
	if s := cmd(0, append([]string{"resume", serials[0]}, api...)...); !strings.Contains(s, serials[0]+": valid") {
		t.Fatalf("resume: %s", s)
	}
	if s := cmd(0, append([]string{"revoke", serials[1], "--reason", "keyCompromise"}, api...)...); !strings.Contains(s, serials[1]+": revoked") {
		t.Fatalf("revoke: %s", s)
	}
	if s := cmd(1, append([]string{"revoke", serials[1], "--reason", "keyCompromise"}, api...)...); !strings.Contains(s, "409") {
		t.Fatalf("revoking twice: %s", s)
	}
	if s := cmd(1, append([]string{"suspend", "abcdef"}, api...)...); !strings.Contains(s, "404") {
		t.Fatalf("unknown serial: %s", s)
	}
	s := cmd(0, append([]string{"crl", "--out", work}, api...)...)
	if !strings.Contains(s, "gost256: CRL number") {
		t.Fatalf("crl: %s", s)
	}
	crl, err := pkix.ParseCRL(mustRead(t, filepath.Join(work, "gost256.crl")))
	if err != nil || len(crl.Entries) != 1 || fmt.Sprintf("%x", new(big.Int).SetBytes(crl.Entries[0].Serial)) != serials[1] || crl.Entries[0].Reason != pkix.ReasonKeyCompromise {
		t.Fatalf("CRL: %v %+v", err, crl)
	}

	// Tokens: create one, see it listed, revoke it; it then fails.
	s = cmd(0, append([]string{"token", "create", "--role", "auditor", "--name", "aud"}, api...)...)
	newTok := regexp.MustCompile(`gca_[0-9a-f]{16}_[A-Za-z0-9_-]+`).FindString(s)
	id := regexp.MustCompile(`token (gca_[0-9a-f]{16}|[0-9a-f]{16}) \(auditor\)`).FindStringSubmatch(s)
	if newTok == "" || id == nil {
		t.Fatalf("token create: %s", s)
	}
	if s := cmd(0, append([]string{"token", "list"}, api...)...); !strings.Contains(s, "auditor\t\taud") {
		t.Fatalf("token list: %s", s)
	}
	audFile := filepath.Join(work, "aud")
	os.WriteFile(audFile, []byte(newTok), 0o600)
	if s := cmd(1, "revoke", serials[0], "--reason", "superseded", "--server", url, "--token-file", audFile); !strings.Contains(s, "403") {
		t.Fatalf("auditor revoking: %s", s)
	}
	cmd(0, append([]string{"token", "revoke", id[1]}, api...)...)
	if s := cmd(1, "token", "list", "--server", url, "--token-file", audFile); !strings.Contains(s, "401") {
		t.Fatalf("revoked token: %s", s)
	}

	// Bad set-ups: no token, bad URL, a token in the environment works.
	cmd(2, "crl", "--server", url)
	cmd(2, "crl", "--server", "ftp://x", "--token-file", tokFile)
	cmd(2, "crl", "--server", "http://user:pw@"+srv.addr, "--token-file", tokFile)
	t.Setenv(apiclient.EnvToken, srv.token)
	t.Setenv(apiclient.EnvURL, url)
	if s := cmd(0, "token", "list"); !strings.Contains(s, "bootstrap") {
		t.Fatalf("token list from the environment: %s", s)
	}

	// The audit log names the token that revoked, not the CLI's user.
	req, _ := http.NewRequest("GET", url+"/api/v1/audit?limit=1000", nil)
	req.Header.Set("Authorization", "Bearer "+srv.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var audit struct {
		Items []struct{ Actor, Action, Subject string } `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&audit); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range audit.Items {
		if a.Action == "revoke" && strings.Contains(a.Subject, serials[1]) {
			found = a.Actor == "token:"+srv.token[len("gca_"):len("gca_")+16]+"/ca_admin" && !strings.HasPrefix(a.Actor, "cli:")
		}
	}
	if !found {
		t.Fatalf("no revoke audit entry by the token: %+v", audit.Items)
	}
}
