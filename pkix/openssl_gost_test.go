package pkix

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// opensslGost returns the openssl binary after checking that its gost
// engine loads. Locally the test skips without it; under CI=true it fails.
func opensslGost(t *testing.T) string {
	t.Helper()
	bin := opensslPath(t)
	if out, err := exec.Command(bin, "engine", "gost", "-t").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("openssl gost engine required in CI: %v\n%s", err, out)
		}
		t.Skipf("openssl gost engine not available: %v", err)
	}
	return bin
}

// runOpenSSL runs openssl with args and returns standard output; standard
// error (where the engine announces itself) is shown only on failure.
func runOpenSSL(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	out, err := tryOpenSSL(bin, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// tryOpenSSL is runOpenSSL for commands that are expected to fail.
func tryOpenSSL(bin string, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, &opensslError{err: err, stderr: stderr.String(), stdout: string(out)}
	}
	return out, nil
}

type opensslError struct {
	err            error
	stderr, stdout string
}

func (e *opensslError) Error() string {
	return e.err.Error() + "\n" + e.stdout + e.stderr
}

// tempFile writes data into a fresh file in t's temporary directory.
func tempFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
