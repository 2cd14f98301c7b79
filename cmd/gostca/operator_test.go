package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
)

// TestOperatorFirstHour runs what a new operator does after the tour:
// the start warns that certificates will name the listen address; `gostca
// list` lists through the server and offline with filters; an offline
// command on the locked data directory says how to go through the
// server; `gostca config` shows the effective values.
func TestOperatorFirstHour(t *testing.T) {
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	t.Setenv(apiclient.EnvURL, "")
	t.Setenv(apiclient.EnvToken, "")
	t.Setenv(apiclient.EnvTokenFile, "")
	dir := filepath.Join(t.TempDir(), "data")
	srv := startServe(t, "--data", dir)
	if log := srv.errb.String(); !strings.Contains(log, "level=WARN") || !strings.Contains(log, "server.public_url is not set") ||
		!strings.Contains(log, "http://"+srv.addr) {
		t.Errorf("no public_url warning at start:\n%s", log)
	}
	tokFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokFile, []byte(srv.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var serials []string
	for range 3 {
		code, out := srv.do("POST", "/api/v1/certificates", srv.token, personRequest(newCSR(t)))
		var c struct{ Serial string }
		if code != 201 || json.Unmarshal(out, &c) != nil {
			t.Fatalf("issue: %d %s", code, out)
		}
		serials = append(serials, c.Serial)
	}
	if code, out := srv.do("POST", "/api/v1/certificates/"+serials[1]+"/revoke", srv.token, map[string]string{"reason": "superseded"}); code != 200 {
		t.Fatalf("revoke: %d %s", code, out)
	}
	lines := func(s string) int { return strings.Count(s, "\tgost256\t") } // certificate rows
	remote := []string{"--server", "http://" + srv.addr, "--token-file", tokFile}
	if out := cli(t, 0, append([]string{"list"}, remote...)...); lines(out) != 3 || !strings.Contains(out, "3 certificates") {
		t.Errorf("list via the server:\n%s", out)
	}
	out := cli(t, 0, append([]string{"list", "--status", "revoked", "--profile", "qualified-person", "--since", "2020-01-01"}, remote...)...)
	if !strings.Contains(out, serials[1]+"\tgost256\tqualified-person\trevoked") || strings.Contains(out, serials[0]) {
		t.Errorf("list --status revoked via the server:\n%s", out)
	}
	// Offline on the locked directory: the way through the server.
	out = cli(t, 1, "list", "--data", dir)
	if !strings.Contains(out, "--server URL --token-file F") || !strings.Contains(out, "locked") {
		t.Errorf("list on a locked data directory:\n%s", out)
	}
	out = cli(t, 1, "revoke", serials[0], "--reason", "superseded", "--data", dir)
	if !strings.Contains(out, "--server URL --token-file F") || strings.Contains(out, "store: store") || strings.Contains(out, "open store: store") {
		t.Errorf("revoke on a locked data directory:\n%s", out)
	}
	srv.stop()
	if out := cli(t, 0, "list", "--data", dir, "--status", "valid"); lines(out) != 2 || strings.Contains(out, serials[1]) {
		t.Errorf("offline list --status valid:\n%s", out)
	}
	if out := cli(t, 0, "list", "--data", dir, "--until", "2020-01-01"); lines(out) != 0 {
		t.Errorf("offline list --until 2020:\n%s", out)
	}
	cli(t, 2, "list", "--data", dir, "--since", "yesterday")
	cli(t, 1, "list", "--data", dir, "--profile", "nope")

	conf := filepath.Join(t.TempDir(), "gostca.toml")
	os.WriteFile(conf, []byte("[ocsp]\nvalidity = \"12h\"\n"), 0o600)
	out = cli(t, 0, "config", "--config", conf, "--data", dir)
	for _, want := range []string{`ocsp.validity`, `"12h"`, `# set`, `"6h"`, `# derived`, `crl.validity`, `"24h"`,
		`server.public_url`, `"http://127.0.0.1:8080"`, `ocsp.max_age`, `"5m"`, "GOSTCA_OCSP_MAX_AGE"} {
		if !strings.Contains(out, want) {
			t.Errorf("gostca config lacks %q:\n%s", want, out)
		}
	}
	os.WriteFile(conf, []byte("[crl]\nvalidity = 86400\n"), 0o600)
	if out := cli(t, 2, "config", "--config", conf); !strings.Contains(out, `"86400s"`) {
		t.Errorf("bare number duration:\n%s", out)
	}
}

// TestDemoSignsTheFile: `gostca demo FILE` signs FILE, not the built-in
// message.
func TestDemoSignsTheFile(t *testing.T) {
	in := filepath.Join(t.TempDir(), "contract.txt")
	os.WriteFile(in, []byte("twenty-one bytes long"), 0o600)
	var out, errb bytes.Buffer
	if code := run([]string{"demo", in}, &out, &errb); code != 0 {
		t.Fatalf("demo FILE: %d %s", code, errb.String())
	}
	if !strings.Contains(out.String(), in+", 21 bytes") || !strings.Contains(out.String(), "valid=true") {
		t.Fatalf("demo FILE output:\n%s", out.String())
	}
	if code := run([]string{"demo", in, in + "2"}, &out, &errb); code != 2 {
		t.Fatalf("demo with two files: %d", code)
	}
}

// TestVersionFromBuildInfo: the version line carries the module version
// and the VCS revision the toolchain recorded.
func TestVersionFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/gostca/gostca", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got := versionString(bi, true); got != "gostca v1.2.3 go1.26.0, revision 0123abcd+dirty (2026-12-01T10:00:00Z)" {
		t.Errorf("version %q", got)
	}
	bi.Settings = nil
	if got := versionString(bi, true); !strings.Contains(got, "v1.2.3") || !strings.Contains(got, "revision unknown") {
		t.Errorf("version without VCS %q", got)
	}
	var out bytes.Buffer
	run([]string{"version"}, &out, &out)
	if !strings.HasPrefix(out.String(), "gostca ") || !strings.Contains(out.String(), "go1.") {
		t.Errorf("gostca version: %q", out.String())
	}
}
