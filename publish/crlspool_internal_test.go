package publish

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestCRLOutSpill: a CRL announced below crlSpillBytes stays in memory;
// one of crlSpillBytes or more goes to an unlinked file in the spool
// directory, and Size, Reader (independent readers) and ReadDER give
// back exactly what was written; discarding a failed build closes it.
func TestCRLOutSpill(t *testing.T) {
	dir := filepath.Join(t.TempDir(), SpoolDir)
	small := &crlOut{dir: dir}
	small.Grow(100)
	_, _ = small.Write([]byte("small CRL"))
	var f CRLFile
	small.finish(&f)
	if string(f.DER) != "small CRL" || f.Size() != 9 {
		t.Fatalf("small CRL: DER %q size %d", f.DER, f.Size())
	}

	big := make([]byte, crlSpillBytes+12345)
	for i := range big {
		big[i] = byte(i * 7)
	}
	out := &crlOut{dir: dir}
	out.Grow(len(big))
	for p := big; len(p) > 0; {
		n := min(len(p), 64<<10)
		if _, err := out.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
	var g CRLFile
	out.finish(&g)
	if g.DER != nil || g.Size() != len(big) {
		t.Fatalf("large CRL: in memory %v, size %d, want a file of %d", g.DER != nil, g.Size(), len(big))
	}
	if names, err := os.ReadDir(dir); err != nil || len(names) != 0 {
		t.Fatalf("spool %s: %v %v; want no named file", dir, names, err)
	}
	r1, r2 := g.Reader(), g.Reader()
	head := make([]byte, 1000)
	if _, err := io.ReadFull(r1, head); err != nil || !bytes.Equal(head, big[:1000]) {
		t.Fatalf("first reader: %v", err)
	}
	if all, err := io.ReadAll(r2); err != nil || !bytes.Equal(all, big) {
		t.Fatalf("second reader, after the first read 1000 bytes: %v, equal %v", err, bytes.Equal(all, big))
	}
	if rest, err := io.ReadAll(r1); err != nil || !bytes.Equal(rest, big[1000:]) {
		t.Fatalf("first reader, the rest: %v", err)
	}
	if b, err := g.ReadDER(); err != nil || !bytes.Equal(b, big) {
		t.Fatalf("ReadDER: %v", err)
	}

	// A spool directory that cannot be made: the CRL stays in memory.
	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	mem := &crlOut{dir: filepath.Join(blocked, SpoolDir)}
	mem.Grow(len(big))
	_, _ = mem.Write(big)
	var h CRLFile
	mem.finish(&h)
	if !bytes.Equal(h.DER, big) || h.Size() != len(big) {
		t.Fatalf("no spool: in memory %v, size %d", h.DER != nil, h.Size())
	}

	failed := &crlOut{dir: dir}
	failed.Grow(crlSpillBytes)
	file := failed.file
	failed.discard()
	if file == nil || failed.file != nil {
		t.Fatal("a large build did not spill, or discard kept its file")
	}
	if _, err := file.Write([]byte("x")); err == nil {
		t.Fatal("the discarded build's file is still open")
	}
}
