package docstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// Deleting orphans safely.
//
// An orphan (a file no metadata refers to) is either garbage — an upload
// the RA then refused, a removed document, documents dropped by
// retention — or an upload whose metadata is being written right now.
// The caller tells them apart by age: it deletes only orphans whose file
// was last written before a grace period far longer than any upload
// takes. Put renames a freshly written file into place, so a new upload
// of the same content as an old orphan renews the file's time; the
// check of that time and the removal happen under the lock Put renames
// under, so a Put either renews the file before the check (and it is
// kept) or recreates it after the removal.

// DeleteStale deletes the document with hash sum if its file was last
// written before cutoff. before, when not nil, runs first, under the
// same lock, with the file's hash and size (the caller audits the
// deletion there: an error keeps the file). It reports whether the file
// was deleted; a missing or newer file is not an error.
func (s *Store) DeleteStale(sum [32]byte, cutoff time.Time, before func(Entry) error) (bool, error) {
	if s.readOnly {
		return false, ErrReadOnly
	}
	shard, p := s.path(sum)
	s.mu.Lock()
	defer s.mu.Unlock()
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("docstore: %w", err)
	}
	if !fi.ModTime().Before(cutoff) {
		return false, nil
	}
	if before != nil {
		if err := before(Entry{SHA256: sum, Size: fi.Size()}); err != nil {
			return false, err
		}
	}
	if err := os.Remove(p); err != nil {
		return false, fmt.Errorf("docstore: deleting %x: %w", sum, err)
	}
	return true, syncDir(shard)
}
