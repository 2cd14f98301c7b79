package streebog

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"testing"

	"github.com/gostca/gostca/internal/openssltest"
)

// requireOpenSSLGost returns the path of an openssl binary whose gost
// engine loads (openssltest.Gost: skipped locally without one, a failure
// under CI=true) and computes Streebog-256 of the empty message right.
func requireOpenSSLGost(t *testing.T) string {
	t.Helper()
	path := openssltest.Gost(t).Bin
	if err := emptyDigestOK(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// emptyDigestOK proves the engine works on the empty message, whose
// Streebog-256 digest is known.
func emptyDigestOK(path string) error {
	const empty256 = "3f539a213e97c802cc229d474c6aa32a825a360b2a933a949fd925208d9ce1bb"
	got, err := opensslDigest(path, "md_gost12_256", nil)
	if err != nil {
		return err
	}
	if got != empty256 {
		return fmt.Errorf("%s: Streebog-256 of the empty message is %s, want %s", path, got, empty256)
	}
	return nil
}

// A digest line on stdout: "md_gost12_256(stdin)= 3f53..." (some builds
// spell the algorithm out, with spaces). Anything else, such as
// 'Engine "gost" set.', which may land on either stream, is noise.
var digestLine = regexp.MustCompile(`(?m)\(stdin\)\s*=\s*([0-9a-f]+)\s*$`)

// opensslDigest hashes msg with `openssl dgst -engine gost -<alg>` and
// returns the hex digest as OpenSSL prints it.
func opensslDigest(openssl, alg string, msg []byte) (string, error) {
	cmd := exec.Command(openssl, "dgst", "-engine", "gost", "-"+alg)
	cmd.Stdin = bytes.NewReader(msg)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("openssl dgst -%s: %v: %s", alg, err, bytes.TrimSpace(stderr.Bytes()))
	}
	m := digestLine.FindAllSubmatch(stdout.Bytes(), -1)
	if len(m) != 1 {
		return "", fmt.Errorf("openssl dgst -%s: no single digest line in stdout %q (stderr %q)", alg, stdout.Bytes(), stderr.Bytes())
	}
	return string(m[0][1]), nil
}
