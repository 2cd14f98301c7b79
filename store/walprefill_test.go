package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// walFiles returns the sizes of the WAL files in dir.
func walFiles(t *testing.T, fs vfs.FS, dir string) map[string]int64 {
	t.Helper()
	names, err := fs.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, n := range names {
		if !strings.HasSuffix(n, ".log") {
			continue
		}
		st, err := fs.Stat(fs.PathJoin(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		out[n] = st.Size()
	}
	return out
}

// issueBatches issues rounds batches of 64 certificates (about 2.4 KB of
// WAL each) and returns their serials.
func issueBatches(t *testing.T, s *Store, rounds int) [][]byte {
	t.Helper()
	var serials [][]byte
	for range rounds {
		ins, iss := benchBatch(64)
		res, err := s.PutIntents(ctx, ins)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil || r.Duplicate {
				t.Fatalf("intent: %+v", r)
			}
		}
		if err := s.CommitIssued(ctx, iss); err != nil {
			t.Fatal(err)
		}
		for _, in := range ins {
			serials = append(serials, in.Serial)
		}
	}
	return serials
}

// A new WAL is zero-filled ahead of its writes: walPrefillFirst from
// creation, then a chunk whenever the writes reach the end of the zeros;
// the file never holds anything but what was written and zeros after it.
func TestWALPrefillZeroesAhead(t *testing.T) {
	mem := vfs.NewMem()
	fs := prefillFS{mem}
	f, err := fs.Create("000002.log", vfs.WriteCategoryUnspecified)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	size := func() int64 {
		st, err := mem.Stat("000002.log")
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	if got := size(); got != walPrefillFirst {
		t.Fatalf("new WAL: %d bytes, want %d zeroed at creation", got, walPrefillFirst)
	}
	rec := bytes.Repeat([]byte{0xa7}, 3000)
	var written int64
	grew := 0
	for written < 3*walPrefillChunk+walPrefillFirst {
		before := size()
		// A copy: under -race Pebble's MemFS scrambles what it was given.
		if _, err := f.Write(bytes.Clone(rec)); err != nil {
			t.Fatal(err)
		}
		written += int64(len(rec))
		got := size()
		if got < written || got > written+walPrefillChunk+int64(len(rec)) {
			t.Fatalf("after %d bytes written the WAL is %d bytes: not just ahead", written, got)
		}
		if got != before {
			grew++
		}
	}
	if grew < 3 {
		t.Fatalf("the zeros were extended %d times over %d bytes, want a chunk at a time", grew, written)
	}
	raw := make([]byte, size())
	r, err := mem.Open("000002.log")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.ReadAt(raw, 0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw[:written], bytes.Repeat(rec, int(written)/len(rec))) {
		t.Fatal("the records are not what was written")
	}
	if tail := raw[written:]; !bytes.Equal(tail, make([]byte, len(tail))) {
		t.Fatal("the bytes after the records are not zeros")
	}
}

// Pebble replays a WAL with a zeroed tail as a clean end of the log:
// every certificate is there after a reopen (most of them only in the
// WAL: the last memtable is not flushed at Close).
func TestWALPrefillReopen(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{NoSync: true})
	serials := issueBatches(t, s, 12)
	wals := walFiles(t, vfs.Default, dir)
	if len(wals) == 0 {
		t.Fatal("no WAL files")
	}
	for name, size := range wals {
		if size < walPrefillFirst {
			t.Fatalf("WAL %s is %d bytes, below the %d zeroed at creation", name, size, walPrefillFirst)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r := openAt(t, dir, Options{})
	for i, sn := range serials {
		if _, err := r.Certificate(ctx, sn); err != nil {
			t.Fatalf("certificate %d after reopen: %v", i, err)
		}
	}
	mustCheck(t, r)
}

// WriteAt on a WAL would bypass the offset the prefill tracks; Pebble
// never uses it, and the wrapper refuses it rather than overwrite data.
func TestWALPrefillRefusesWriteAt(t *testing.T) {
	fs := prefillFS{vfs.NewMem()}
	f, err := fs.Create("000001.log", vfs.WriteCategoryUnspecified)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write([]byte("record")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("x"), 0); err == nil {
		t.Fatal("WriteAt on a WAL accepted")
	}
	other, err := fs.Create("MANIFEST-000001", vfs.WriteCategoryUnspecified)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if st, _ := other.Stat(); st.Size() != 0 {
		t.Fatalf("a file other than a WAL was prefilled: %d bytes", st.Size())
	}
}

// Crash safety with the prefill, on Pebble's crashable file system: the
// writes go past the first zeroed region (chunks are zeroed mid-stream)
// and, with 512 KiB memtables, WALs are rotated, flushed and recycled
// (ReuseForWrite). A crash that keeps any part of the unsynced data —
// zeros, records, both — reopens cleanly with every acknowledged
// certificate and passes the consistency check.
func TestWALPrefillCrash(t *testing.T) {
	mem := vfs.NewCrashableMem()
	opts := func(fs vfs.FS) Options {
		po := defaultPebbleOptions()
		po.FS = fs
		po.MemTableSize = 512 << 10
		return Options{PebbleOptions: po, Logger: quiet()}
	}
	s := openAt(t, "db", opts(mem))
	acked := issueBatches(t, s, 12)
	// Unsynced records after the synced ones: pre-signed OCSP responses
	// (written without an fsync of their own) sit in the WAL, possibly
	// over zeros a crash may or may not keep.
	var ocsp []OCSPRecord
	for i, sn := range acked[:64] {
		ocsp = append(ocsp, OCSPRecord{Serial: sn, DER: fmt.Appendf(nil, "r%d", i), NextUpdate: t0.Add(time.Hour)})
	}
	if errs, err := s.PutOCSPResponses(ctx, ocsp); err != nil || errors.Join(errs...) != nil {
		t.Fatal(err, errs)
	}
	check := func(fs vfs.FS, what string) {
		c, err := Open("db", opts(fs))
		if err != nil {
			t.Fatalf("reopen after a crash (%s): %v", what, err)
		}
		defer c.Close()
		mustCheck(t, c)
		for i, sn := range acked {
			if _, err := c.Certificate(ctx, sn); err != nil {
				t.Fatalf("%s: acknowledged certificate %d lost: %v", what, i, err)
			}
		}
	}
	check(mem.CrashClone(vfs.CrashCloneCfg{}), "nothing unsynced kept")
	for _, pct := range []int{30, 70, 100} {
		for seed := range 3 {
			check(mem.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: rand.New(rand.NewPCG(uint64(seed), 2))}),
				fmt.Sprintf("%d%% of unsynced data kept, seed %d", pct, seed))
		}
	}
	// More synced work after the clones: still exact.
	acked = append(acked, issueBatches(t, s, 4)...)
	check(mem.CrashClone(vfs.CrashCloneCfg{}), "after more synced writes")
}
