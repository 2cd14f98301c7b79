// Package reporttest checks the plots the report package writes: every
// SVG well-formed and naming its title and series. The report package's
// tests and the whole-suite test use it.
package reporttest

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gostca/gostca/bench/e2e/internal/report"
)

// svgTexts parses an SVG file as XML (failing on any malformation) and
// returns its root element's name and every text node inside <text>.
func svgTexts(t testing.TB, path string) (root string, texts []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	depth, inText := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", path, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				root = e.Name.Local
			}
			depth++
			if e.Name.Local == "text" {
				inText++
			}
		case xml.EndElement:
			depth--
			if e.Name.Local == "text" {
				inText--
			}
		case xml.CharData:
			if inText > 0 {
				if s := strings.TrimSpace(string(e)); s != "" {
					texts = append(texts, s)
				}
			}
		}
	}
	if depth != 0 {
		t.Fatalf("%s: unbalanced elements", path)
	}
	return root, texts
}

// CheckPlots asserts that every plot results.json lists exists as a
// well-formed SVG whose legend names each of its series, and that the
// files are exactly want.
func CheckPlots(t testing.TB, dir string, plots []report.PlotInfo, want map[string]int) {
	t.Helper()
	got := map[string]int{}
	for _, p := range plots {
		got[p.File] = len(p.Series)
		root, texts := svgTexts(t, filepath.Join(dir, p.File))
		if root != "svg" {
			t.Errorf("%s: root element %q", p.File, root)
		}
		for _, s := range append([]string{p.Title}, p.Series...) {
			if !slices.Contains(texts, s) {
				t.Errorf("%s: no text %q among %q", p.File, s, texts)
			}
		}
	}
	for f, n := range want {
		if got[f] != n {
			t.Errorf("plot %s: %d series, want %d (all: %v)", f, got[f], n, got)
		}
	}
	for f := range got {
		if _, ok := want[f]; !ok {
			t.Errorf("unexpected plot %s", f)
		}
	}
}
