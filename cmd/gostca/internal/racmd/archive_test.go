package racmd

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gostca/gostca/api/raapi"
)

// TestCheckArchive: the manifest's digests, sizes and file list are
// enforced.
func TestCheckArchive(t *testing.T) {
	doc := []byte("%PDF-1.4\n%%EOF\n")
	var good string
	build := func(mutate func(m *raapi.ArchiveManifest, files map[string][]byte)) []byte {
		m := raapi.ArchiveManifest{Format: raapi.ArchiveFormat, Application: raapi.Application{ID: "a"},
			Documents: []raapi.ArchiveDocument{{DocumentJSON: raapi.DocumentJSON{ID: "d", SHA256: good, Size: int64(len(doc))}, File: "documents/d.pdf"}}}
		files := map[string][]byte{"documents/d.pdf": doc}
		mutate(&m, files)
		var b bytes.Buffer
		z := zip.NewWriter(&b)
		mj, _ := json.Marshal(m)
		w, _ := z.Create("manifest.json")
		w.Write(mj)
		for _, name := range []string{"documents/d.pdf", "extra.txt"} {
			if data, ok := files[name]; ok {
				w, _ := z.Create(name)
				w.Write(data)
			}
		}
		z.Close()
		return b.Bytes()
	}
	good = sha256Hex(doc)
	cases := map[string]struct {
		mutate func(*raapi.ArchiveManifest, map[string][]byte)
		want   string
	}{
		"good": {func(*raapi.ArchiveManifest, map[string][]byte) {}, ""},
		"other content": {func(_ *raapi.ArchiveManifest, f map[string][]byte) {
			f["documents/d.pdf"] = []byte("%PDF-1.4\n%%EOF\r")
		}, "SHA-256"},
		"wrong size":     {func(m *raapi.ArchiveManifest, _ map[string][]byte) { m.Documents[0].Size++ }, "the manifest says"},
		"unlisted file":  {func(_ *raapi.ArchiveManifest, f map[string][]byte) { f["extra.txt"] = []byte("x") }, "does not list"},
		"missing file":   {func(_ *raapi.ArchiveManifest, f map[string][]byte) { delete(f, "documents/d.pdf") }, "missing from the archive"},
		"unknown format": {func(m *raapi.ArchiveManifest, _ map[string][]byte) { m.Format = "other/9" }, "format"},
	}
	for name, c := range cases {
		data := build(c.mutate)
		_, err := CheckArchive(bytes.NewReader(data), int64(len(data)))
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if _, err := CheckArchive(bytes.NewReader([]byte("PK\x03\x04junk")), 10); err == nil {
		t.Error("a truncated zip passed")
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
