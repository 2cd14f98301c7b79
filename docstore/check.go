package docstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Entry is one stored document as List sees it.
type Entry struct {
	SHA256 [32]byte
	Size   int64
}

// List calls fn for every stored document, in hash order, and stops at
// the first error fn returns. Names that are not documents (temporary
// files, strays) are skipped; Check reports them.
func (s *Store) List(fn func(Entry) error) error {
	return s.walk(func(e Entry, _ string) error { return fn(e) }, nil)
}

// Report is the result of Check. Hashes are in ascending order.
type Report struct {
	Documents int   // documents stored
	Bytes     int64 // their total size
	// Missing are referenced hashes with no file: metadata pointing at
	// nothing (a lost document; must never happen).
	Missing [][32]byte
	// Orphans are files no metadata refers to (a crash between Put and
	// the metadata write, or a removed document): safe to Delete.
	Orphans [][32]byte
	// Corrupt are files whose content no longer hashes to their name
	// (only when verifying).
	Corrupt [][32]byte
	// Strays are other names in the directory (temporary files of an
	// upload in progress or interrupted, foreign files), relative to Dir.
	Strays []string
}

// OK reports a consistent store: nothing missing or corrupt. Orphans and
// strays are not errors.
func (r *Report) OK() bool { return len(r.Missing) == 0 && len(r.Corrupt) == 0 }

// CheckOptions configure Check.
type CheckOptions struct {
	// Verify rehashes every file (reads all of them).
	Verify bool
}

// Check compares the directory with referenced, the set of hashes the
// metadata refers to (fsck collects it from the store's applications),
// and reports what is missing, orphaned, corrupt or stray. It changes
// nothing.
func (s *Store) Check(referenced map[[32]byte]struct{}, opts CheckOptions) (Report, error) {
	var rep Report
	seen := make(map[[32]byte]struct{}, len(referenced))
	err := s.walk(func(e Entry, path string) error {
		rep.Documents++
		rep.Bytes += e.Size
		seen[e.SHA256] = struct{}{}
		if _, ok := referenced[e.SHA256]; !ok {
			rep.Orphans = append(rep.Orphans, e.SHA256)
		}
		if opts.Verify {
			ok, err := hashMatches(path, e.SHA256)
			if err != nil {
				return err
			}
			if !ok {
				rep.Corrupt = append(rep.Corrupt, e.SHA256)
			}
		}
		return nil
	}, func(rel string) { rep.Strays = append(rep.Strays, rel) })
	if err != nil {
		return Report{}, err
	}
	for h := range referenced {
		if _, ok := seen[h]; !ok {
			rep.Missing = append(rep.Missing, h)
		}
	}
	cmp := func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) }
	slices.SortFunc(rep.Missing, cmp)
	slices.SortFunc(rep.Orphans, cmp)
	slices.SortFunc(rep.Corrupt, cmp)
	slices.Sort(rep.Strays)
	return rep, nil
}

func hashMatches(path string, want [32]byte) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("docstore: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, fmt.Errorf("docstore: reading %s: %w", path, err)
	}
	var got [32]byte
	h.Sum(got[:0])
	return got == want, nil
}

// walk visits documents in hash order; stray gets every other name.
func (s *Store) walk(doc func(Entry, string) error, stray func(string)) error {
	if stray == nil {
		stray = func(string) {}
	}
	top, err := os.ReadDir(s.dir) // sorted by name
	if err != nil {
		return fmt.Errorf("docstore: %w", err)
	}
	for _, t := range top {
		if !t.IsDir() || !isHex(t.Name(), 2) {
			stray(t.Name())
			continue
		}
		shard := filepath.Join(s.dir, t.Name())
		files, err := os.ReadDir(shard)
		if err != nil {
			return fmt.Errorf("docstore: %w", err)
		}
		for _, f := range files {
			rel := filepath.Join(t.Name(), f.Name())
			if !f.Type().IsRegular() || !isHex(f.Name(), 64) || !strings.HasPrefix(f.Name(), t.Name()) {
				stray(rel)
				continue
			}
			info, err := f.Info()
			if err != nil {
				return fmt.Errorf("docstore: %w", err)
			}
			var e Entry
			hex.Decode(e.SHA256[:], []byte(f.Name()))
			e.Size = info.Size()
			if err := doc(e, filepath.Join(shard, f.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// isHex reports a lower-case hex string of length n.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
