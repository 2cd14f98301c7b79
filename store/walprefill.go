package store

import (
	"fmt"
	"strings"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// WAL prefill. Every issuance waits for two WAL fsyncs (the intents, the
// certificates). On ext4 an fdatasync after appending to a file — or
// after writing into blocks Pebble preallocated with fallocate, which
// are "unwritten" extents — also commits a journal transaction for the
// new size or the extent conversion; an fdatasync after overwriting
// blocks that already hold data flushes only the data. Measured on the
// development VM (2 cores, ext4 on virtio, 3 KB written per sync):
// appending 205 µs, into fallocated blocks 205 µs, overwriting 145 µs.
//
// Pebble overwrites old blocks only in a recycled WAL, and only once a
// memtable has been flushed; until then (with 64 MiB memtables: the
// first ~60 MB of every process) each sync pays the journal. So the
// store wraps Pebble's file system: a WAL file (*.log) is written with
// zeros ahead of Pebble's writes, walPrefillChunk at a time, so that the
// sync acknowledging a write flushes only data except once per chunk.
//
// The zeros are a tail Pebble's WAL reader already handles: preallocated
// and recycled WALs end in zeroed or stale blocks, and the reader, after
// reading ahead to tell a torn tail from a lost record, stops at a zeroed
// chunk with no valid record after it (ErrUnexpectedEOF, accepted at the
// end of the newest WAL; older WALs end with an EOF trailer Pebble writes
// when it closes them). The zeros are written before the record that
// follows them, and nothing is acknowledged before Pebble's own fsync,
// which covers both: the prefill changes no durability guarantee.
const (
	// walPrefillChunk is how much is zeroed at a time when Pebble's
	// writes reach the end of what was zeroed: one fsync in about 200
	// certificates carries the chunk (~3 ms here).
	walPrefillChunk = 1 << 20
	// walPrefillFirst is zeroed and synced when a WAL is created, when
	// Pebble opens or rotates the log, before any write waits on it.
	// Pebble rotates often at first (its memtables start at 256 KiB and
	// double up to MemTableSize), so this stays one chunk.
	walPrefillFirst = walPrefillChunk
)

// prefillFS is a vfs.FS whose WAL files are zero-filled ahead of writes.
type prefillFS struct {
	vfs.FS
}

func isWAL(name string) bool { return strings.HasSuffix(name, ".log") }

func (fs prefillFS) Create(name string, cat vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.Create(name, cat)
	if err != nil || !isWAL(name) {
		return f, err
	}
	return newPrefillFile(f)
}

// ReuseForWrite is Pebble recycling an obsolete WAL: its blocks already
// hold data, so only writes past its old size need zeros.
func (fs prefillFS) ReuseForWrite(oldname, newname string, cat vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.ReuseForWrite(oldname, newname, cat)
	if err != nil || !isWAL(newname) {
		return f, err
	}
	return newPrefillFile(f)
}

func (fs prefillFS) Unwrap() vfs.FS { return fs.FS }

// prefillFile zero-fills a WAL ahead of its writes. Pebble's log writer
// writes a WAL sequentially from one goroutine at a time, through Write
// only (the store checks that: WriteAt on a WAL is refused).
type prefillFile struct {
	vfs.File
	off    int64 // where the next Write goes
	filled int64 // [0, filled) holds data or zeros
}

var walZeros = make([]byte, 64<<10)

func newPrefillFile(f vfs.File) (vfs.File, error) {
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("store: WAL prefill: %w", err)
	}
	p := &prefillFile{File: f, filled: st.Size()}
	if p.filled < walPrefillFirst {
		if err := p.fill(walPrefillFirst); err != nil {
			_ = f.Close()
			return nil, err
		}
		if err := f.SyncData(); err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("store: WAL prefill: sync: %w", err)
		}
	}
	return p, nil
}

// fill writes zeros from p.filled up to end.
func (p *prefillFile) fill(end int64) error {
	for p.filled < end {
		n := min(int64(len(walZeros)), end-p.filled)
		if _, err := p.File.WriteAt(walZeros[:n], p.filled); err != nil {
			return fmt.Errorf("store: WAL prefill at %d: %w", p.filled, err)
		}
		p.filled += n
	}
	return nil
}

func (p *prefillFile) Write(b []byte) (int, error) {
	if end := p.off + int64(len(b)); end > p.filled {
		if err := p.fill(end + walPrefillChunk); err != nil {
			return 0, err
		}
	}
	n, err := p.File.Write(b)
	p.off += int64(n)
	return n, err
}

// WriteAt is not used by Pebble's WAL writer; refusing it keeps Write's
// offset bookkeeping the only way data reaches the file.
func (p *prefillFile) WriteAt([]byte, int64) (int, error) {
	return 0, fmt.Errorf("store: WAL prefill: WriteAt on a WAL file")
}
