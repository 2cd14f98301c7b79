package streebog

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedTableAsmUpToDate runs gen_table_amd64.go in a temporary
// directory and compares its output with table_amd64.s.
func TestGeneratedTableAsmUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and runs the generator")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	src, err := os.ReadFile("gen_table_amd64.go")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gen_table_amd64.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goBin, "run", "gen_table_amd64.go")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen_table_amd64.go: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "table_amd64.s"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("table_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("table_amd64.s is not what gen_table_amd64.go writes: run go generate")
	}
}
