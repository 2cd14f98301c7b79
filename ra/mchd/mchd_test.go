package mchd

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

type memDocs map[[32]byte][]byte

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func (m memDocs) Open(sum [32]byte) (io.ReadSeekCloser, error) {
	b, ok := m[sum]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return nopCloser{bytes.NewReader(b)}, nil
}

// TestCheckFiles: which documents are the МЧД and count for a rule; an
// application without one passes unread; one whose files cannot be read
// (no store, a missing or oversized file) is an error naming the
// document, never a pass; a file that is read goes to appdata.CheckMCHD
// (not an МЧД's XML: a problem on field mchd). The check of real МЧД
// documents is ra's submission test (ra/mchd_test.go) and appdata's.
func TestCheckFiles(t *testing.T) {
	xml := store.Document{ID: "d1", Type: appdata.DocMCHD, ContentType: ContentTypeXML, SHA256: [32]byte{1}}
	scan := store.Document{ID: "d2", Type: appdata.DocMCHD, ContentType: "application/pdf", SHA256: [32]byte{2}}
	passport := store.Document{ID: "d3", Type: appdata.DocPassport, ContentType: "image/png", SHA256: [32]byte{3}}
	if !Counts(xml) || Counts(scan) || !Counts(passport) {
		t.Fatal("Counts: the МЧД counts by its XML only")
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if errs, err := Check(nil, &store.Application{Documents: []store.Document{scan, passport}}, now); errs != nil || err != nil {
		t.Fatalf("no МЧД files: %v %v", errs, err)
	}
	a := &store.Application{Documents: []store.Document{passport, xml}}
	if _, err := Check(nil, a, now); !errors.Is(err, ErrNoDocuments) {
		t.Fatalf("no document store: %v", err)
	}
	var re *ReadError
	if _, err := Check(memDocs{}, a, now); !errors.As(err, &re) || re.Document != "d1" || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a missing file: %v", err)
	}
	if _, err := Check(memDocs{xml.SHA256: make([]byte, maxFile+1)}, a, now); !errors.As(err, &re) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("an oversized file: %v", err)
	}
	errs, err := Check(memDocs{xml.SHA256: []byte("<not-an-mchd/>")}, a, now)
	if err != nil || len(errs) == 0 || !strings.HasPrefix(errs[0].Field, "mchd") {
		t.Fatalf("a file that is no МЧД: %v %v", errs, err)
	}
}
