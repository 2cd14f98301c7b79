package main

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// svgTexts parses an SVG file as XML (failing on any malformation) and
// returns its root element's name and every text node inside <text>.
func svgTexts(t *testing.T, path string) (root string, texts []string) {
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

// checkPlots asserts that every plot results.json lists exists as a
// well-formed SVG whose legend names each of its series, and that the
// files are exactly want.
func checkPlots(t *testing.T, dir string, plots []PlotInfo, want map[string]int) {
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

func st(tput, p50, p99 float64) Stats {
	return Stats{Throughput: tput, P50: p50, P90: p50 * 1.5, P99: p99, P999: p99 * 1.2, OK: 10, Requests: 10}
}

// TestPlotsFromResults draws every plot from made-up results and checks
// files, well-formedness and series; a result without a section draws no
// plot for it.
func TestPlotsFromResults(t *testing.T) {
	r := &Results{Config: ConfigJSON{Concurrency: []int{1, 16, 64}}}
	r.Issue = &IssueResult{Runs: map[string][]IssueRun{
		"closed c=1": {{Stats: st(200, 4, 20)}}, "closed c=16": {{Stats: st(1400, 11, 18)}}, "closed c=64": {{Stats: st(1300, 45, 70)}},
		"open 50/s": {{Stats: st(50, 5, 40)}}, "open 200/s": {{Stats: st(199, 6, 60)}}, "open 800/s": {{Stats: st(650, 90, 300)}},
	}, Peer: map[string][]Stats{"process per request": {st(90, 9, 30)}, "-infiles": {st(700, 0, 0)},
		peerParallelMode(2): {{Concurrency: 2, Throughput: 1300}}}}
	r.OCSP = &OCSPResult{Runs: map[string][]Stats{}, Peer: map[string]map[string][]Stats{"openssl ocsp": {}, "openssl ocsp -multi 2": {}}}
	for _, m := range ocspModes {
		r.OCSP.Runs[m.Name] = []Stats{st(10000, 1, 7)}
		r.OCSP.Peer["openssl ocsp"][m.Name] = []Stats{st(5000, 1, 10)}
		r.OCSP.Peer["openssl ocsp -multi 2"][m.Name] = []Stats{st(5500, 1, 9)}
	}
	r.Mixed = &MixedResult{Rates: map[string]float64{"issue": 50, "ocsp": 500, "revoke": 10},
		Alone: map[string][]Stats{"issue": {st(50, 5, 20)}, "ocsp": {st(500, 1, 3)}, "revoke": {st(10, 6, 15)}},
		Mixed: map[string][]Stats{"issue": {st(50, 7, 40)}, "ocsp": {st(500, 1, 9)}, "revoke": {st(10, 8, 30)}}}
	r.CRL = []CRLSize{{K: 1000, PeakRSSKB: 280000, Runs: []CRLRun{{TotalMs: 7}}, Peer: []PeerCRLRun{{Ms: 12, PeakRSSKB: 54000}}},
		{K: 100000, PeakRSSKB: 290000, Runs: []CRLRun{{TotalMs: 130}}, Peer: []PeerCRLRun{{Ms: 890, PeakRSSKB: 244000}}}}
	dir := t.TempDir()
	if d := os.Getenv("BENCH_PLOT_DIR"); d != "" {
		dir = d
	}
	if err := writeResults(dir, r); err != nil {
		t.Fatal(err)
	}
	checkPlots(t, dir, r.Plots, map[string]int{"issue-throughput.svg": 3, "issue-latency.svg": 4, "issue-peers.svg": 2,
		"ocsp-peers.svg": 3, "mixed.svg": 4, "crl-time.svg": 2, "crl-memory.svg": 2})
	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil || !strings.Contains(string(md), "![Issuance throughput vs concurrency](issue-throughput.svg)") ||
		!strings.Contains(string(md), "| issue | 50.0 |") {
		t.Errorf("summary.md: %v\n%s", err, md)
	}

	// Only the CRL: two plots, nothing else.
	dir2 := t.TempDir()
	r2 := &Results{CRL: r.CRL}
	if err := writeResults(dir2, r2); err != nil {
		t.Fatal(err)
	}
	checkPlots(t, dir2, r2.Plots, map[string]int{"crl-time.svg": 2, "crl-memory.svg": 2})
}
