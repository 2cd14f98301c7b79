package docstore

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDetect: header parsing of untrusted uploads never panics and
// answers an accepted type or one of the typed errors.
func FuzzDetect(f *testing.F) {
	for _, fx := range fixtures(f) {
		f.Add(fx.data)
	}
	f.Add(pngHeader(100_000, 100_000))
	f.Add(heicFile(1, 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, err := Detect(bytes.NewReader(data), int64(len(data)), 1_000_000)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupportedType) &&
				!errors.Is(err, ErrTooManyPixels) && !errors.Is(err, ErrEmpty) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, a := range AcceptedTypes {
			if a == typ {
				return
			}
		}
		t.Fatalf("unknown type %q", typ)
	})
}
