package docstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const tenMB = 10 << 20

func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := New(Options{Dir: filepath.Join(t.TempDir(), "docs")})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// names lists every name under dir (relative), sorted.
func names(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func TestPutAcceptsEveryType(t *testing.T) {
	s := newStore(t)
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			st, err := s.Put(context.Background(), bytes.NewReader(f.data), tenMB)
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			if st.ContentType != f.typ || st.Size != int64(len(f.data)) || st.SHA256 != sha256.Sum256(f.data) {
				t.Fatalf("Put = %v %d %x, want %s %d %x", st.ContentType, st.Size, st.SHA256, f.typ, len(f.data), sha256.Sum256(f.data))
			}
			rc, err := s.Open(st.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(got, f.data) {
				t.Fatalf("read back %d bytes (err %v), want the %d bytes put", len(got), err, len(f.data))
			}
			// Seekable, for ranged downloads.
			rc, _ = s.Open(st.SHA256)
			if _, err := rc.Seek(3, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			got, _ = io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, f.data[3:]) {
				t.Fatal("read after seek differs")
			}
			if ok, err := s.Has(st.SHA256); !ok || err != nil {
				t.Fatalf("Has = %v, %v", ok, err)
			}
			_, p := s.path(st.SHA256)
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
			}
			di, _ := os.Stat(filepath.Dir(p))
			if di.Mode().Perm() != 0o700 {
				t.Errorf("shard mode %v, want 0700", di.Mode().Perm())
			}
		})
	}
	di, _ := os.Stat(s.Dir())
	if di.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", di.Mode().Perm())
	}
}

// refused asserts that Put refuses data with want and leaves nothing
// behind.
func refused(t *testing.T, s *Store, data []byte, limit int64, want error) error {
	t.Helper()
	before := names(t, s.Dir())
	_, err := s.Put(context.Background(), bytes.NewReader(data), limit)
	if !errors.Is(err, want) {
		t.Fatalf("Put = %v, want %v", err, want)
	}
	if after := names(t, s.Dir()); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Fatalf("a refused Put left %v (before: %v)", after, before)
	}
	if ok, _ := s.Has(sha256.Sum256(data)); ok {
		t.Fatal("refused content is stored")
	}
	return err
}

func TestPutTooLarge(t *testing.T) {
	s := newStore(t)
	data := pngFile(t, 300, 300)
	limit := int64(len(data) - 1)
	err := refused(t, s, data, limit, ErrTooLarge)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Limit != limit || !strings.Contains(err.Error(), itoa(int(limit))) {
		t.Fatalf("error %q does not name the limit %d", err, limit)
	}
	// Exactly at the limit is accepted.
	if _, err := s.Put(context.Background(), bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("Put at the limit: %v", err)
	}
	// The error names MiB limits readably.
	if e := (&TooLargeError{Limit: tenMB}).Error(); !strings.Contains(e, "10 MiB") {
		t.Fatalf("%q", e)
	}
}

// endless never ends: Put must stop reading past the limit.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	e.n += int64(len(p))
	return len(p), nil
}

func TestPutStopsReadingPastTheLimit(t *testing.T) {
	s := newStore(t)
	r := &endless{}
	_, err := s.Put(context.Background(), r, 1<<20)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Put = %v", err)
	}
	if r.n > 1<<20+64<<10 {
		t.Fatalf("read %d bytes for a 1 MiB limit", r.n)
	}
	if n := names(t, s.Dir()); len(n) != 0 {
		t.Fatalf("left %v", n)
	}
}

func TestPutRefusesOtherTypes(t *testing.T) {
	s := newStore(t)
	exe, err := os.Executable() // this test binary: a real executable
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	f.Close()
	cases := []struct {
		name  string
		data  []byte
		found string
	}{
		{"executable renamed .pdf", head[:n], "executable"},
		{"windows executable", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 200)...), "Windows executable"},
		{"zip", zipFile(t), "zip archive"},
		{"text", []byte("%PDF is what I am, trust me\n%%EOF"), ""},
		{"html", []byte("<html><body>passport</body></html>"), ""},
		{"webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), "WebP"},
		{"mp4", append(isoBoxBytes("ftyp", []byte("isom"), []byte{0, 0, 2, 0}, []byte("isomiso2")), isoBoxBytes("mdat")...), "ISO media"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := refused(t, s, c.data, tenMB, ErrUnsupportedType)
			msg := err.Error()
			for _, w := range []string{"JPEG", "PNG", "GIF", "TIFF", "BMP", "HEIC", "PDF"} {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not list %s", msg, w)
				}
			}
			if c.found != "" && !strings.Contains(msg, c.found) {
				t.Errorf("error %q does not say it is a %s", msg, c.found)
			}
		})
	}
}

func TestPutRefusesEmpty(t *testing.T) {
	refused(t, newStore(t), nil, tenMB, ErrEmpty)
}

// A small file whose header claims a giant image is refused, for every
// image type, without decoding it; just under the bound is accepted.
func TestPixelBound(t *testing.T) {
	s := newStore(t)
	tiffBig, _ := tiffFile(100_000, 100_000, true)
	giant := []struct {
		name string
		data []byte
	}{
		{"png 100000x100000", pngHeader(100_000, 100_000)},
		{"tiff", tiffBig},
		{"bmp", bmpFile(100_000, 100_000, false)},
		{"bmp top-down", bmpFile(100_000, 100_000, true)},
		{"heic", heicFile(100_000, 100_000)},
	}
	for _, g := range giant {
		t.Run(g.name, func(t *testing.T) {
			if len(g.data) > 4096 {
				t.Fatalf("fixture of %d bytes is not small", len(g.data))
			}
			err := refused(t, s, g.data, tenMB, ErrTooManyPixels)
			var pe *PixelError
			if !errors.As(err, &pe) || pe.Width != 100_000 || pe.Height != 100_000 || pe.Max != DefaultMaxPixels {
				t.Fatalf("error %v, want a PixelError of 100000 × 100000 over %d", err, DefaultMaxPixels)
			}
		})
	}
	// JPEG and GIF have 16-bit dimensions: 65535² is over 100 MP too.
	j := jpegFile(t, 8, 8)
	sof := jpegSOFEnd(t, j)
	copy(j[sof-4:], []byte{0xFF, 0xFF, 0xFF, 0xFF})
	refused(t, s, j, tenMB, ErrTooManyPixels)
	g := gifFile(t, 8, 8)
	copy(g[6:], []byte{0xFF, 0xFF, 0xFF, 0xFF})
	refused(t, s, g, tenMB, ErrTooManyPixels)

	// A configurable bound: 10000 × 10000 is exactly 100 MP (accepted by
	// default); a store bounded to 1 MP refuses 1001 × 1000.
	if _, err := s.Put(context.Background(), bytes.NewReader(pngHeader(10_000, 10_000)), tenMB); err != nil {
		t.Fatalf("10000 × 10000 at the default bound: %v", err)
	}
	small, err := New(Options{Dir: filepath.Join(t.TempDir(), "d"), MaxPixels: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	refused(t, small, pngHeader(1001, 1000), tenMB, ErrTooManyPixels)
	if _, err := small.Put(context.Background(), bytes.NewReader(pngHeader(1000, 1000)), tenMB); err != nil {
		t.Fatal(err)
	}
	// Zero dimensions are malformed.
	refused(t, s, pngHeader(0, 10), tenMB, ErrMalformed)
	refused(t, s, heicFile(0, 10), tenMB, ErrMalformed)
}

// Every prefix of an accepted file shorter than its header is refused
// (as malformed, or as no accepted type when even the signature is cut).
func TestTruncatedHeaders(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			for n := 1; n < f.headerLen; n++ {
				typ, err := Detect(bytes.NewReader(f.data[:n]), int64(n), 0)
				if err == nil {
					t.Fatalf("a %d-byte prefix (header %d) accepted as %s", n, f.headerLen, typ)
				}
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupportedType) {
					t.Fatalf("prefix %d: %v", n, err)
				}
			}
			typ, err := Detect(bytes.NewReader(f.data[:f.headerLen]), int64(f.headerLen), 0)
			if err != nil || typ != f.typ {
				t.Fatalf("the %d-byte header: %s, %v", f.headerLen, typ, err)
			}
		})
	}
}

func TestMalformedHeaders(t *testing.T) {
	j := jpegFile(t, 8, 8)
	noSOF := append([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0, 2}, j[2:]...) // scan before frame
	cases := map[string][]byte{
		"png not IHDR":   append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIDAT"), make([]byte, 13)...),
		"jpeg no frame":  noSOF,
		"jpeg bad seg":   []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0, 0},
		"tiff bad ifd":   []byte("II*\x00\xff\xff\x00\x00pad"),
		"bmp bad dib":    append([]byte("BM"), make([]byte, 30)...),
		"pdf truncated":  pdfFile()[:200],
		"heic no ispe":   append(isoBoxBytes("ftyp", []byte("heic"), []byte{0, 0, 0, 0}), isoBoxBytes("meta", []byte{0, 0, 0, 0}, isoBoxBytes("iprp", isoBoxBytes("ipco")))...),
		"heic huge box":  append(isoBoxBytes("ftyp", []byte("heic"), []byte{0, 0, 0, 0}), 0x7f, 0xff, 0xff, 0xff, 'm', 'e', 't', 'a'),
		"heic 64-bit sz": append(isoBoxBytes("ftyp", []byte("heic"), []byte{0, 0, 0, 0}), 0, 0, 0, 1, 'm', 'e', 't', 'a', 0xff, 0, 0, 0, 0, 0, 0, 0),
	}
	s := newStore(t)
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			err := refused(t, s, data, tenMB, ErrMalformed)
			if !strings.Contains(err.Error(), "malformed") {
				t.Fatalf("%q", err)
			}
		})
	}
}

func TestConcurrentPutSameContent(t *testing.T) {
	s := newStore(t)
	data := jpegFile(t, 200, 150)
	const n = 16
	var wg sync.WaitGroup
	res := make([]Stored, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { res[i], errs[i] = s.Put(context.Background(), bytes.NewReader(data), tenMB) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || res[i] != res[0] {
			t.Fatalf("Put %d = %+v, %v; Put 0 = %+v", i, res[i], errs[i], res[0])
		}
	}
	h := sha256.Sum256(data)
	hexName := filepath.Join(itoaHex(h[:1]), itoaHex(h[:]))
	if got := names(t, s.Dir()); len(got) != 2 || got[1] != hexName {
		t.Fatalf("directory holds %v, want one shard and %s", got, hexName)
	}
	rc, _ := s.Open(h)
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("content differs after concurrent Puts")
	}
}

func itoaHex(b []byte) string {
	const d = "0123456789abcdef"
	var s []byte
	for _, c := range b {
		s = append(s, d[c>>4], d[c&15])
	}
	return string(s)
}

func TestPutCancelled(t *testing.T) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, bytes.NewReader(pdfFile()), tenMB); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put = %v", err)
	}
	if n := names(t, s.Dir()); len(n) != 0 {
		t.Fatalf("left %v", n)
	}
}

func TestOpenMissingAndDelete(t *testing.T) {
	s := newStore(t)
	var zero [32]byte
	if _, err := s.Open(zero); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open = %v", err)
	}
	st, err := s.Put(context.Background(), bytes.NewReader(pdfFile()), tenMB)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(st.SHA256); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Has(st.SHA256); ok {
		t.Fatal("deleted document still there")
	}
	if _, err := s.Open(st.SHA256); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open after Delete = %v", err)
	}
	if err := s.Delete(st.SHA256); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

func TestNewRefusesOpenDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := New(Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Fatalf("New on a 0755 directory = %v", err)
	}
}

// Crash safety, the part a test can show in one process: what a crash
// leaves (temporary files of interrupted uploads) is reported by Check
// as strays and removed by New; stored documents are untouched.
func TestNewRemovesInterruptedUploads(t *testing.T) {
	s := newStore(t)
	st, err := s.Put(context.Background(), bytes.NewReader(pdfFile()), tenMB)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{".tmp-123", ".tmp-456"} {
		if err := os.WriteFile(filepath.Join(s.Dir(), n), []byte("%PDF-half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := s.Check(map[[32]byte]struct{}{st.SHA256: {}}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rep.Strays, ",") != ".tmp-123,.tmp-456" || !rep.OK() {
		t.Fatalf("Check = %+v", rep)
	}
	// Read-only (fsck beside a running server) removes nothing and
	// writes nothing.
	ro, err := New(Options{Dir: s.Dir(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep, _ := ro.Check(nil, CheckOptions{}); len(rep.Strays) != 2 || len(rep.Orphans) != 1 {
		t.Fatalf("read-only Check = %+v", rep)
	}
	if _, err := ro.Put(context.Background(), bytes.NewReader(pdfFile()), tenMB); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("read-only Put = %v", err)
	}
	if err := ro.Delete(st.SHA256); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("read-only Delete = %v", err)
	}
	if _, err := New(Options{Dir: filepath.Join(t.TempDir(), "absent"), ReadOnly: true}); err == nil {
		t.Fatal("read-only New created a missing directory")
	}
	s2, err := New(Options{Dir: s.Dir()})
	if err != nil {
		t.Fatal(err)
	}
	rep, _ = s2.Check(map[[32]byte]struct{}{st.SHA256: {}}, CheckOptions{Verify: true})
	if len(rep.Strays) != 0 || rep.Documents != 1 || !rep.OK() {
		t.Fatalf("after New: %+v", rep)
	}
}

func TestCheck(t *testing.T) {
	s := newStore(t)
	var sums [][32]byte
	for _, f := range fixtures(t) {
		st, err := s.Put(context.Background(), bytes.NewReader(f.data), tenMB)
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, st.SHA256)
	}
	missing := sha256.Sum256([]byte("never stored"))
	ref := map[[32]byte]struct{}{missing: {}}
	for _, h := range sums[1:] { // sums[0] becomes an orphan
		ref[h] = struct{}{}
	}
	// Corrupt one file behind the store's back, and drop a stray.
	_, p := s.path(sums[2])
	if err := os.WriteFile(p, []byte("bit rot"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(s.Dir(), "README"), nil, 0o600)

	rep, err := s.Check(ref, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Documents != len(sums) || len(rep.Missing) != 1 || rep.Missing[0] != missing ||
		len(rep.Orphans) != 1 || rep.Orphans[0] != sums[0] || len(rep.Corrupt) != 0 ||
		strings.Join(rep.Strays, ",") != "README" || rep.OK() {
		t.Fatalf("Check = %+v", rep)
	}
	rep, _ = s.Check(ref, CheckOptions{Verify: true})
	if len(rep.Corrupt) != 1 || rep.Corrupt[0] != sums[2] {
		t.Fatalf("Check with Verify: corrupt %x", rep.Corrupt)
	}
	// List visits every document in hash order.
	var listed [][32]byte
	var total int64
	if err := s.List(func(e Entry) error { listed = append(listed, e.SHA256); total += e.Size; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(listed) != len(sums) || total != rep.Bytes {
		t.Fatalf("List: %d documents %d bytes; Check: %d, %d", len(listed), total, rep.Documents, rep.Bytes)
	}
	for i := 1; i < len(listed); i++ {
		if bytes.Compare(listed[i-1][:], listed[i][:]) >= 0 {
			t.Fatal("List is not in hash order")
		}
	}
	stop := errors.New("stop")
	if err := s.List(func(Entry) error { return stop }); err != stop {
		t.Fatalf("List did not pass fn's error: %v", err)
	}
}

func BenchmarkPut1MB(b *testing.B) {
	s := newStore(b)
	// 1 MiB: a valid PDF header and trailer around varying content, so
	// every iteration stores a new file (no dedup shortcut).
	body := make([]byte, 1<<20)
	copy(body, "%PDF-1.4\n")
	copy(body[len(body)-7:], "\n%%EOF\n")
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		body[100] = byte(i)
		body[101] = byte(i >> 8)
		body[102] = byte(i >> 16)
		if _, err := s.Put(context.Background(), bytes.NewReader(body), tenMB); err != nil {
			b.Fatal(err)
		}
	}
}

// Every page of a multi-page TIFF is bounded; a looping IFD chain is
// malformed.
func TestTIFFPages(t *testing.T) {
	s := newStore(t)
	first, tl := tiffFile(20, 10, false)
	second, _ := tiffFile(100_000, 100_000, true)
	ifd2 := second[8 : 8+2+12*5+4] // the second file's IFD, next = 0
	link := func(next uint32, tail []byte) []byte {
		b := append([]byte(nil), first...)
		b[tl], b[tl+1], b[tl+2], b[tl+3] = byte(next), byte(next>>8), byte(next>>16), byte(next>>24)
		return append(b, tail...)
	}
	two := link(uint32(len(first)), ifd2)
	err := refused(t, s, two, tenMB, ErrTooManyPixels)
	if !strings.Contains(err.Error(), "100000 × 100000") {
		t.Fatalf("%v", err)
	}
	refused(t, s, link(8, nil), tenMB, ErrMalformed)
	refused(t, s, link(uint32(len(first)+1000), nil), tenMB, ErrMalformed)
	// A second page within the bound is accepted.
	small, _ := tiffFile(30, 40, false)
	ok := link(uint32(len(first)), small[8:8+2+12*5+4])
	if st, err := s.Put(context.Background(), bytes.NewReader(ok), tenMB); err != nil || st.ContentType != TypeTIFF {
		t.Fatalf("two small pages: %+v, %v", st, err)
	}
}
