package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Write leaves the file with its mode and data and no temporary file
// behind; exclusive refuses an existing file and leaves it as it was;
// otherwise the file is replaced whole.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := Write(path, []byte("one"), 0o600, true); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("two"), 0o600, true); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("exclusive over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Fatalf("after a refused write: %q", b)
	}
	if err := Write(path, []byte("three"), 0o644, false); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if b, _ := os.ReadFile(path); err != nil || string(b) != "three" || st.Mode().Perm() != 0o644 {
		t.Fatalf("replaced: %q %v %v", b, st, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("%d entries in the directory, want the file alone", len(ents))
	}
	if err := Write(filepath.Join(dir, "no", "such"), []byte("x"), 0o600, false); err == nil {
		t.Fatal("a write into a missing directory succeeded")
	}
}
