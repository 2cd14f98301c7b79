package docstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Options configure a Store.
type Options struct {
	// Dir is the directory of the documents; created 0700 when missing.
	// An existing directory readable by group or others is refused.
	Dir string
	// MaxPixels bounds width × height declared by an image header;
	// ≤ 0 means DefaultMaxPixels.
	MaxPixels int64
	// ReadOnly opens an existing directory for reading and Check only
	// (fsck next to a running server): nothing is created or removed, so
	// the uploads in progress of the server are left alone; Put and
	// Delete are refused.
	ReadOnly bool
}

// Store is a directory of content-addressed documents. Its methods are
// safe for concurrent use.
type Store struct {
	dir       string
	maxPixels int64
	readOnly  bool
	// mu orders a Put's rename into place with DeleteStale's check and
	// removal of the same name (gc.go).
	mu sync.Mutex
}

// ErrReadOnly is returned by Put and Delete on a store opened ReadOnly.
var ErrReadOnly = errors.New("docstore: opened read-only")

// Stored describes a document Put stored.
type Stored struct {
	SHA256      [32]byte
	Size        int64
	ContentType string // one of AcceptedTypes (or ExtraTypes)
}

const tmpPrefix = ".tmp-"

// New opens (creating if needed) the document directory and removes the
// temporary files of uploads a crash interrupted (not when ReadOnly).
func New(opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, errors.New("docstore: no directory configured")
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("docstore: creating %s: %w", opts.Dir, err)
		}
	}
	fi, err := os.Stat(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("docstore: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("docstore: %s is not a directory", opts.Dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("docstore: %s has mode %#o and holds personal data: run chmod 700 %s", opts.Dir, fi.Mode().Perm(), opts.Dir)
	}
	s := &Store{dir: opts.Dir, maxPixels: opts.MaxPixels, readOnly: opts.ReadOnly}
	if s.maxPixels <= 0 {
		s.maxPixels = DefaultMaxPixels
	}
	if s.readOnly {
		return s, nil
	}
	ents, err := os.ReadDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("docstore: %w", err)
	}
	removed := false
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			if err := os.Remove(filepath.Join(opts.Dir, e.Name())); err != nil {
				return nil, fmt.Errorf("docstore: removing an interrupted upload: %w", err)
			}
			removed = true
		}
	}
	if removed {
		if err := syncDir(opts.Dir); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// MaxPixels is the pixel bound in force.
func (s *Store) MaxPixels() int64 { return s.maxPixels }

// path is DIR/ab/<64 hex>.
func (s *Store) path(sum [32]byte) (shard, name string) {
	h := hex.EncodeToString(sum[:])
	shard = filepath.Join(s.dir, h[:2])
	return shard, filepath.Join(shard, h)
}

// Put stores the body read from r, at most limit bytes (limit > 0), and
// returns its hash, size and content type. A body over the limit is
// refused with *TooLargeError as soon as the limit is passed; content of
// no accepted type with *TypeError, *MalformedError or *PixelError; an
// empty body with ErrEmpty. A refused or failed Put leaves nothing
// behind. The document is durable when Put returns nil.
func (s *Store) Put(ctx context.Context, r io.Reader, limit int64) (Stored, error) {
	return s.put(ctx, r, limit, 0)
}

func (s *Store) put(ctx context.Context, r io.Reader, limit int64, extra Extra) (Stored, error) {
	if s.readOnly {
		return Stored{}, ErrReadOnly
	}
	if limit <= 0 {
		return Stored{}, fmt.Errorf("docstore: size limit %d: must be positive", limit)
	}
	f, err := os.CreateTemp(s.dir, tmpPrefix+"*") // mode 0600
	if err != nil {
		return Stored{}, fmt.Errorf("docstore: creating a temporary file: %w", err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()

	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(ctxReader{ctx, r}, limit+1))
	if err != nil {
		return Stored{}, fmt.Errorf("docstore: receiving the document: %w", err)
	}
	if n > limit {
		return Stored{}, &TooLargeError{Limit: limit}
	}
	typ, err := DetectExtra(f, n, s.maxPixels, extra)
	if err != nil {
		return Stored{}, err
	}
	var st Stored
	h.Sum(st.SHA256[:0])
	st.Size, st.ContentType = n, typ

	if err := f.Sync(); err != nil {
		return Stored{}, fmt.Errorf("docstore: syncing the document: %w", err)
	}
	if err := f.Close(); err != nil {
		return Stored{}, fmt.Errorf("docstore: closing the document: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Stored{}, err
	}
	shard, final := s.path(st.SHA256)
	created, err := mkShard(shard)
	if err != nil {
		return Stored{}, err
	}
	if created {
		if err := syncDir(s.dir); err != nil {
			return Stored{}, err
		}
	}
	// Same content, same name: a concurrent Put of the same bytes renames
	// an identical file over it, which is harmless.
	s.mu.Lock()
	err = os.Rename(tmp, final)
	s.mu.Unlock()
	if err != nil {
		return Stored{}, fmt.Errorf("docstore: renaming the document into place: %w", err)
	}
	done = true
	if err := syncDir(shard); err != nil {
		return Stored{}, err
	}
	return st, nil
}

func mkShard(shard string) (bool, error) {
	err := os.Mkdir(shard, 0o700)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	return false, fmt.Errorf("docstore: creating %s: %w", shard, err)
}

// Open opens the document with hash sum for reading (the caller closes
// it). A missing document is ErrNotFound.
func (s *Store) Open(sum [32]byte) (io.ReadSeekCloser, error) {
	_, p := s.path(sum)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %x", ErrNotFound, sum)
	}
	if err != nil {
		return nil, fmt.Errorf("docstore: %w", err)
	}
	return f, nil
}

// Has reports whether the document with hash sum is stored.
func (s *Store) Has(sum [32]byte) (bool, error) {
	_, p := s.path(sum)
	_, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("docstore: %w", err)
	}
	return true, nil
}

// Delete removes the document with hash sum, durably. Documents are
// shared by content: delete only one no metadata refers to (an orphan in
// Check's report). Deleting a missing document is not an error.
func (s *Store) Delete(sum [32]byte) error {
	if s.readOnly {
		return ErrReadOnly
	}
	shard, p := s.path(sum)
	err := os.Remove(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("docstore: deleting %x: %w", sum, err)
	}
	return syncDir(shard)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("docstore: syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("docstore: syncing %s: %w", dir, err)
	}
	return nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
