// Package openssltest runs OpenSSL with its gost engine, the independent
// oracle of the tests: every certificate, request, CRL, OCSP response and
// GOST signature the project makes or accepts is checked against it.
//
// Gost finds the binary once per test. Without OpenSSL or its gost engine
// (Debian's libengine-gost-openssl) a test skips locally; under CI=true it
// fails, so CI never silently loses an interop check.
package openssltest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Conf loads the gost engine for every command. OpenSSL 3.0's crl, ocsp
// and verify have no -engine flag, so the engine comes from the config.
const Conf = `openssl_conf = openssl_def
[openssl_def]
engines = engines
[engines]
gost = gost_section
[gost_section]
engine_id = gost
default_algorithms = ALL
`

// OpenSSL is an openssl binary whose gost engine loads, with a config
// file that loads the engine for every command it runs.
type OpenSSL struct {
	Bin  string // path of the openssl binary
	Conf string // path of the config file (OPENSSL_CONF)
	Dir  string // a temporary directory of the test's
	env  []string
}

// Gost returns OpenSSL with the gost engine, or skips t (fails it under
// CI=true) when there is none.
func Gost(t testing.TB) *OpenSSL {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	var out []byte
	if err == nil {
		out, err = exec.Command(bin, "engine", "gost", "-t").CombinedOutput()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("openssl with the gost engine is required in CI (apt-get install openssl libengine-gost-openssl): %v\n%s", err, out)
		}
		t.Skipf("openssl with the gost engine not available: %v", err)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "openssl.cnf")
	if err := os.WriteFile(conf, []byte(Conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return &OpenSSL{Bin: bin, Conf: conf, Dir: dir, env: append(os.Environ(), "OPENSSL_CONF="+conf)}
}

// Command is an openssl command with the engine's config in its
// environment, for tests that need to set stdin or run it in background.
func (o *OpenSSL) Command(args ...string) *exec.Cmd {
	cmd := exec.Command(o.Bin, args...)
	cmd.Env = o.env
	return cmd
}

// Run runs openssl and returns its standard output; standard error (where
// the engine announces itself) is shown only when the command fails,
// which fails t.
func (o *OpenSSL) Run(t testing.TB, args ...string) []byte {
	t.Helper()
	out, err := o.Try(args...)
	if err != nil {
		t.Fatalf("openssl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// Try is Run for commands that are expected to fail: the error carries
// both output streams.
func (o *OpenSSL) Try(args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := o.Command(args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, &Error{Err: err, Stdout: string(out), Stderr: stderr.String()}
	}
	return out, nil
}

// Error is a failed openssl command with what it printed.
type Error struct {
	Err            error
	Stdout, Stderr string
}

func (e *Error) Error() string { return e.Err.Error() + "\n" + e.Stdout + e.Stderr }

func (e *Error) Unwrap() error { return e.Err }

// WriteFile writes data into a new file of t's temporary directory and
// returns its path.
func WriteFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
