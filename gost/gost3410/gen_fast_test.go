package gost3410

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedCodeUpToDate runs gen_fast.go on a copy of the sources and
// compares its output with the *_gen.go files in the package, then checks
// that a source edit that defeats a replacement stops the generator
// without writing anything.
func TestGeneratedCodeUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and runs the generator")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	srcs, _ := filepath.Glob("*.go")
	copyTo := func(dir string) {
		for _, name := range srcs {
			if strings.Contains(name, "_gen") {
				continue
			}
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	run := func(dir string) ([]byte, error) {
		cmd := exec.Command(goBin, "run", "gen_fast.go")
		cmd.Dir = dir
		return cmd.CombinedOutput()
	}

	dir := t.TempDir()
	copyTo(dir)
	if out, err := run(dir); err != nil {
		t.Fatalf("gen_fast.go: %v\n%s", err, out)
	}
	generated, _ := filepath.Glob(filepath.Join(dir, "*_gen*.go"))
	have, _ := filepath.Glob("*_gen*.go")
	if len(generated) != len(have) || len(have) == 0 {
		t.Fatalf("generator wrote %d files, the package has %d", len(generated), len(have))
	}
	for _, g := range generated {
		want, err := os.ReadFile(filepath.Base(g))
		if err != nil {
			t.Fatalf("generator wrote %s, which the package lacks", filepath.Base(g))
		}
		got, _ := os.ReadFile(g)
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./gost/gost3410/", filepath.Base(g))
		}
	}

	bad := t.TempDir()
	copyTo(bad)
	src, _ := os.ReadFile(filepath.Join(bad, "wa256.go"))
	edited := strings.Replace(string(src), "(b = 0xa6", "(b = 166", 1)
	if edited == string(src) {
		t.Fatal("wa256.go no longer has the comment this test edits")
	}
	os.WriteFile(filepath.Join(bad, "wa256.go"), []byte(edited), 0o644)
	out, err := run(bad)
	if err == nil || !strings.Contains(string(out), "matches nothing") {
		t.Fatalf("generator accepted a replacement that matches nothing: %v\n%s", err, out)
	}
	if left, _ := filepath.Glob(filepath.Join(bad, "*_gen*.go")); len(left) != 0 {
		t.Fatalf("failed generator still wrote %v", left)
	}
}

// TestGeneratedAsmUpToDate runs gen_fe_amd64.go in a temporary directory
// and compares its output with fe_amd64.s.
func TestGeneratedAsmUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and runs the generator")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	src, err := os.ReadFile("gen_fe_amd64.go")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gen_fe_amd64.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goBin, "run", "gen_fe_amd64.go")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen_fe_amd64.go: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "fe_amd64.s"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("fe_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("fe_amd64.s is not what gen_fe_amd64.go writes: run go generate")
	}
}
