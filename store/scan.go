package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// ctxEvery is how many entries a scan visits between context checks.
const ctxEvery = 256

// scan calls fn for every key in [lower, upper) in order, until fn returns
// false or an error. Key and value are valid only during the call.
func scan(ctx context.Context, r pebble.Reader, lower, upper []byte, fn func(k, v []byte) (bool, error)) error {
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return fmt.Errorf("store: new iterator: %w", err)
	}
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		if n++; n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				_ = it.Close()
				return fmt.Errorf("store: scan: %w", err)
			}
		}
		v, err := it.ValueAndErr()
		if err != nil {
			_ = it.Close()
			return fmt.Errorf("store: read value: %w", err)
		}
		more, err := fn(it.Key(), v)
		if err != nil {
			_ = it.Close()
			return err
		}
		if !more {
			break
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("store: iterate: %w", err)
	}
	return nil
}

// scanPrefix is scan over every key starting with prefix.
func scanPrefix(ctx context.Context, r pebble.Reader, prefix []byte, fn func(k, v []byte) (bool, error)) error {
	return scan(ctx, r, prefix, prefixEnd(prefix), fn)
}

// clampLimit applies DefaultLimit and MaxLimit.
func clampLimit(limit int) int {
	switch {
	case limit <= 0:
		return DefaultLimit
	case limit > MaxLimit:
		return MaxLimit
	}
	return limit
}

// A cursor is the URL-safe base64 of the last returned key without its
// scan prefix; the next page starts strictly after it. A cursor is only
// meaningful for the query that made it (within another query's prefix
// it merely positions the scan, never escapes it).

func encodeCursor(prefix, key []byte) string {
	return base64.RawURLEncoding.EncodeToString(key[len(prefix):])
}

// pageStart returns the lower bound for a page after cursor.
func pageStart(prefix []byte, cursor string) ([]byte, error) {
	if cursor == "" {
		return prefix, nil
	}
	suffix, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(suffix) == 0 || len(suffix) > 512 {
		return nil, invalid("malformed cursor")
	}
	start := append(append([]byte(nil), prefix...), suffix...)
	return append(start, 0), nil // the smallest key after the cursor's
}

// page scans the keys with prefix in [lower, upper) (nil bounds mean the
// whole prefix) that come after cursor. fn reports whether it took the
// entry; after limit entries are taken, the cursor of the last one is
// returned if any key remains.
func page(ctx context.Context, r pebble.Reader, prefix, lower, upper []byte, cursor string, limit int,
	fn func(k, v []byte) (bool, error)) (string, error) {
	if lower == nil {
		lower = prefix
	}
	if upper == nil {
		upper = prefixEnd(prefix)
	}
	start, err := pageStart(prefix, cursor)
	if err != nil {
		return "", err
	}
	if bytes.Compare(start, lower) < 0 {
		start = lower
	}
	if upper != nil && bytes.Compare(start, upper) >= 0 {
		return "", nil
	}
	limit = clampLimit(limit)
	taken, next := 0, ""
	var last []byte
	err = scan(ctx, r, start, upper, func(k, v []byte) (bool, error) {
		if taken == limit {
			next = encodeCursor(prefix, last)
			return false, nil
		}
		took, err := fn(k, v)
		if err != nil {
			return false, err
		}
		if took {
			taken++
		}
		last = append(last[:0], k...)
		return true, nil
	})
	return next, err
}
