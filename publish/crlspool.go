package publish

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// Large CRLs live in a file, not in the heap.
//
// A complete CRL of a million entries is 49 MB of DER. Kept as a []byte,
// the one being served and the one being built are both in the heap at a
// rebuild, the collector's goal doubles that, and the freed arrays go
// back to the OS only minutes later: a server serving a 1M-entry CRL grew
// by ~47 MB a rebuild, to 240 MB. So a CRL whose builder announces
// (Grow) crlSpillBytes or more is written to a temporary file under
// DATA/spool, unlinked at once: the file has no name, vanishes with the
// process (crash included) and is never read by anything but this
// CRLFile. Serving reads it with pread through a section reader — one
// copy buffer, whatever the size and the number of clients — and the
// page cache, not the server's resident memory, holds its bytes.
//
// The file is closed when the CRLFile that owns it and every reader of
// it are unreachable (os.File's own cleanup): a rebuild never closes the
// file under an answer still being sent. Its disk space is freed then,
// within one collection cycle (the runtime collects at least every two
// minutes).

// crlSpillBytes is the size from which a CRL is kept in a file (some
// 20,000 entries).
const crlSpillBytes = 1 << 20

// SpoolDir is where large CRLs are written, in the data directory.
const SpoolDir = "spool"

// crlOut is a CRL builder's writer: memory until the builder announces a
// CRL of crlSpillBytes or more, then an unlinked file in dir.
type crlOut struct {
	dir string
	// log, when set, hears why a large CRL stayed in memory.
	log  *slog.Logger
	mem  bytes.Buffer
	file *os.File
	n    int64
}

// Grow is called by the builder with the exact size of the CRL before
// its first write.
func (o *crlOut) Grow(n int) {
	if n < crlSpillBytes || o.file != nil || o.mem.Len() > 0 {
		o.mem.Grow(n)
		return
	}
	f, err := o.spool()
	if err != nil {
		// No spool: the CRL stays in memory, as before.
		if o.log != nil {
			o.log.Warn("a large CRL is kept in memory: its spool file could not be made", "bytes", n, "err", err)
		}
		o.mem.Grow(n)
		return
	}
	o.file = f
}

// spool makes an unlinked file in o.dir.
func (o *crlOut) spool() (*os.File, error) {
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(o.dir, "crl-*.der")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

func (o *crlOut) Write(p []byte) (int, error) {
	if o.file == nil {
		return o.mem.Write(p)
	}
	n, err := o.file.Write(p)
	o.n += int64(n)
	return n, err
}

// discard drops a failed build's output.
func (o *crlOut) discard() {
	if o.file != nil {
		_ = o.file.Close()
		o.file = nil
	}
	o.mem.Reset()
}

// finish puts the built CRL into f.
func (o *crlOut) finish(f *CRLFile) {
	if o.file == nil {
		f.DER = o.mem.Bytes()
		return
	}
	f.file, f.size = o.file, o.n
}

// Size is the length of the CRL's DER.
func (f *CRLFile) Size() int {
	if f.file != nil {
		return int(f.size)
	}
	return len(f.DER)
}

// Reader reads the CRL's DER from its first byte; every call returns an
// independent reader (answers in parallel each get their own).
func (f *CRLFile) Reader() io.Reader {
	if f.file != nil {
		return io.NewSectionReader(f.file, 0, f.size)
	}
	return bytes.NewReader(f.DER)
}

// ReadDER returns the CRL's DER: DER itself, or for a CRL kept in a file
// (DER nil) the file's bytes, read into a new slice.
func (f *CRLFile) ReadDER() ([]byte, error) {
	if f.file == nil {
		return f.DER, nil
	}
	b := make([]byte, f.size)
	if _, err := f.file.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("publish: CRL %s: read its file: %w", f.URL, err)
	}
	return b, nil
}

// spoolDir is where this publisher writes large CRLs.
func (pub *Publisher) spoolDir() string {
	if pub.cfg.DataDir == "" {
		return os.TempDir()
	}
	return filepath.Join(pub.cfg.DataDir, SpoolDir)
}
