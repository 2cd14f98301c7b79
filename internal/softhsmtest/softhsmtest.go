// Package softhsmtest sets up private SoftHSM2 tokens for tests of the
// packages that reach a PKCS#11 token (hsm/pkcs11, ca, cmd/gostca).
// Each Token has its own token directory and SOFTHSM2_CONF, so tests never
// touch a system token. Without SoftHSM2 (or a required tool) tests skip
// locally and fail under CI=true.
package softhsmtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// PINs of every token made here. Tests check that neither ever appears in
// an error, a log line or the output of a command.
const (
	SOPIN = "so-Pin-4096"
	PIN   = "user-Pin-2718"
)

// Lib returns the path of the SoftHSM2 module: GOSTCA_SOFTHSM_MODULE, else
// Debian's /usr/lib/softhsm/libsofthsm2.so.
func Lib() string {
	if p := os.Getenv("GOSTCA_SOFTHSM_MODULE"); p != "" {
		return p
	}
	return "/usr/lib/softhsm/libsofthsm2.so"
}

// Need skips (or, under CI=true, fails) unless the SoftHSM2 module and the
// named commands are installed.
func Need(t testing.TB, cmds ...string) {
	t.Helper()
	missing := ""
	if _, err := os.Stat(Lib()); err != nil {
		missing = Lib()
	}
	for _, c := range cmds {
		if _, err := exec.LookPath(c); err != nil {
			missing = c
		}
	}
	if missing == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI (apt-get install softhsm2 opensc)", missing)
	}
	t.Skipf("%s not installed", missing)
}

// Token is a SoftHSM2 set-up private to one test: its own token directory
// and SOFTHSM2_CONF (set for the test's duration), and one initialised
// token whose user PIN is in PINFile (mode 0600).
type Token struct {
	Lib     string // the module
	Dir     string // the set-up's directory
	Tokens  string // SoftHSM's token directory
	Label   string
	PINFile string
}

// New initialises a token labelled label in a fresh directory and points
// SOFTHSM2_CONF at it (t.Setenv: the test must not be parallel).
func New(t testing.TB, label string) *Token {
	t.Helper()
	Need(t, "softhsm2-util")
	dir := t.TempDir()
	h := &Token{Lib: Lib(), Dir: dir, Tokens: filepath.Join(dir, "tokens"), Label: label}
	if err := os.Mkdir(h.Tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	body := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", h.Tokens)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	// Read by libsofthsm2 at every C_Initialize, in this process too.
	t.Setenv("SOFTHSM2_CONF", conf)
	h.Run(t, "softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SOPIN, "--pin", PIN)
	h.PINFile = WritePIN(t, PIN)
	return h
}

// Run runs a command (softhsm2-util, pkcs11-tool) and fails the test if
// it fails.
func (h *Token) Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// WritePIN writes pin to a fresh file with mode 0600 and returns its path.
func WritePIN(t testing.TB, pin string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(p, []byte(pin+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
