package pkix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/internal/openssltest"
)

// asn1parse runs `openssl asn1parse -inform DER` over der and returns its
// output with offsets and header lengths stripped: one line per element,
// "d=DEPTH TYPE :VALUE", so expectations stay readable.
func asn1parse(t *testing.T, der []byte, extra ...string) []string {
	t.Helper()
	bin := openssltest.Gost(t)
	f := filepath.Join(t.TempDir(), "in.der")
	if err := os.WriteFile(f, der, 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"asn1parse", "-inform", "DER", "-in", f}, extra...)
	out, err := bin.Command(args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl asn1parse: %v\n%s", err, out)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		// "    0:d=0  hl=2 l=  78 cons: SEQUENCE          "
		i := strings.Index(l, "d=")
		j := strings.Index(l, "hl=")
		k := strings.Index(l, "prim:")
		if k < 0 {
			k = strings.Index(l, "cons:")
		}
		if i < 0 || j < 0 || k < 0 {
			t.Fatalf("unexpected asn1parse line %q", l)
		}
		depth := strings.TrimSpace(l[i:j])
		rest := strings.TrimSpace(l[k+5:])
		// Collapse the padding between type and value.
		if c := strings.Index(rest, ":"); c >= 0 {
			rest = strings.Join(strings.Fields(rest[:c]), " ") + " :" + rest[c+1:]
		} else {
			rest = strings.Join(strings.Fields(rest), " ")
		}
		lines = append(lines, depth+" "+rest)
	}
	return lines
}

// checkASN1Parse compares asn1parse's view of der with want, line by line.
func checkASN1Parse(t *testing.T, der []byte, want []string, extra ...string) {
	t.Helper()
	got := asn1parse(t, der, extra...)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("openssl asn1parse:\n got: %q\nwant: %q", got, want)
	}
}

// opensslGenconf builds DER from an ASN1_generate_nconf description, an
// encoder independent of ours, for byte-exact comparisons.
func opensslGenconf(t *testing.T, conf string) []byte {
	t.Helper()
	bin := openssltest.Gost(t)
	dir := t.TempDir()
	cf := filepath.Join(dir, "gen.cnf")
	of := filepath.Join(dir, "out.der")
	if err := os.WriteFile(cf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := bin.Command("asn1parse", "-genconf", cf, "-noout", "-out", of).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl asn1parse -genconf: %v\n%s", err, out)
	}
	der, err := os.ReadFile(of)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
