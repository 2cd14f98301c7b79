package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/cmd/gostca/internal/democmd"
)

func TestDemoEveryParameterSet(t *testing.T) {
	in := filepath.Join(t.TempDir(), "msg")
	os.WriteFile(in, []byte("hello"), 0o600)
	for _, name := range strings.Split(democmd.CurveNames(), ", ") {
		var out, errb bytes.Buffer
		sig := filepath.Join(t.TempDir(), "sig")
		if code := run([]string{"demo", "-curve", name, "-in", in, "-out", sig}, &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errb.String())
		}
		if !strings.Contains(out.String(), "valid=true, tampered digest rejected=true") {
			t.Fatalf("%s: unexpected output:\n%s", name, out.String())
		}
		raw, err := os.ReadFile(sig)
		if err != nil || (len(raw) != 64 && len(raw) != 128) {
			t.Fatalf("%s: signature file: %v, %d bytes", name, err, len(raw))
		}
	}
}

func TestBadInvocations(t *testing.T) {
	for _, args := range [][]string{
		nil, {"nope"}, {"demo", "-curve", "gost-2001-test"}, {"demo", "-curve", "x"},
		{"demo", "-in", "/nonexistent/file"}, {"demo", "-bogus"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code == 0 {
			t.Errorf("%q: exit 0", args)
		} else if errb.Len() == 0 {
			t.Errorf("%q: no error message", args)
		}
	}
}
