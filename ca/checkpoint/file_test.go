package checkpoint_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca/checkpoint"
	"github.com/gostca/gostca/store"
)

func testCheckpoint(seq uint64, at time.Time) *store.Checkpoint {
	cp := &store.Checkpoint{Seq: seq, At: at.UTC(), KeyedFrom: 1, Signer: "gost256", Signature: []byte{1, 2, 3}}
	cp.Head[0], cp.KeyID[0] = byte(seq), 7
	return cp
}

// The checkpoint file: appended lines (mode 0644, a checkpoint is
// public) are read back as the newest — highest sequence number, then
// latest time — whatever their order; blank lines are skipped, and a bad
// line or an empty file is an error that names the file and the line.
func TestFileAppendRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkpoints.jsonl")
	now := time.Now().Truncate(time.Second)
	for _, cp := range []*store.Checkpoint{testCheckpoint(2, now), testCheckpoint(5, now), testCheckpoint(5, now.Add(time.Minute)), testCheckpoint(3, now.Add(time.Hour))} {
		if err := checkpoint.Append(path, cp); err != nil {
			t.Fatal(err)
		}
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("file: %v %v", st, err)
	}
	got, err := checkpoint.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != 5 || !got.At.Equal(now.Add(time.Minute)) {
		t.Fatalf("newest: seq %d at %s, want seq 5 at %s", got.Seq, got.At, now.Add(time.Minute))
	}

	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append([]byte("\n  \n"), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := checkpoint.Read(path); err != nil || got.Seq != 5 {
		t.Fatalf("with blank lines: %v %v", got, err)
	}
	if err := os.WriteFile(path, append(data, []byte("{\"format\":\"something else\"}\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := checkpoint.Read(path); err == nil || !strings.Contains(err.Error(), "line 5") {
		t.Fatalf("a bad line: %v", err)
	}
	if err := os.WriteFile(path, []byte("\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := checkpoint.Read(path); err == nil || !strings.Contains(err.Error(), "holds no checkpoint") {
		t.Fatalf("empty file: %v", err)
	}
	if _, err := checkpoint.Read(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Fatal("a missing file read without error")
	}
}
