package report_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/bench/e2e/internal/peers"
	"github.com/gostca/gostca/bench/e2e/internal/report"
	"github.com/gostca/gostca/bench/e2e/internal/report/reporttest"
)

func st(tput, p50, p99 float64) load.Stats {
	return load.Stats{Throughput: tput, P50: p50, P90: p50 * 1.5, P99: p99, P999: p99 * 1.2, OK: 10, Requests: 10}
}

// TestPlotsFromResults draws every plot from made-up results and checks
// files, well-formedness and series; a result without a section draws no
// plot for it.
func TestPlotsFromResults(t *testing.T) {
	r := &report.Results{Config: report.ConfigJSON{Concurrency: []int{1, 16, 64}}}
	r.Issue = &report.IssueResult{Runs: map[string][]report.IssueRun{
		"closed c=1": {{Stats: st(200, 4, 20)}}, "closed c=16": {{Stats: st(1400, 11, 18)}}, "closed c=64": {{Stats: st(1300, 45, 70)}},
		"open 50/s": {{Stats: st(50, 5, 40)}}, "open 200/s": {{Stats: st(199, 6, 60)}}, "open 800/s": {{Stats: st(650, 90, 300)}},
	}, Peer: map[string][]load.Stats{"process per request": {st(90, 9, 30)}, "-infiles": {st(700, 0, 0)},
		peers.ParallelMode(2): {{Concurrency: 2, Throughput: 1300}}}}
	r.OCSP = &report.OCSPResult{Runs: map[string][]load.Stats{}, Peer: map[string]map[string][]load.Stats{"openssl ocsp": {}, "openssl ocsp -multi 2": {}}}
	for _, m := range report.OCSPModes {
		r.OCSP.Runs[m] = []load.Stats{st(10000, 1, 7)}
		r.OCSP.Peer["openssl ocsp"][m] = []load.Stats{st(5000, 1, 10)}
		r.OCSP.Peer["openssl ocsp -multi 2"][m] = []load.Stats{st(5500, 1, 9)}
	}
	r.Mixed = &report.MixedResult{Rates: map[string]float64{"issue": 50, "ocsp": 500, "revoke": 10},
		Alone: map[string][]load.Stats{"issue": {st(50, 5, 20)}, "ocsp": {st(500, 1, 3)}, "revoke": {st(10, 6, 15)}},
		Mixed: map[string][]load.Stats{"issue": {st(50, 7, 40)}, "ocsp": {st(500, 1, 9)}, "revoke": {st(10, 8, 30)}}}
	r.CRL = []report.CRLSize{{K: 1000, PeakRSSKB: 280000, Runs: []report.CRLRun{{TotalMs: 7}}, Peer: []report.PeerCRLRun{{Ms: 12, PeakRSSKB: 54000}}},
		{K: 100000, PeakRSSKB: 290000, Runs: []report.CRLRun{{TotalMs: 130}}, Peer: []report.PeerCRLRun{{Ms: 890, PeakRSSKB: 244000}}}}
	dir := t.TempDir()
	if d := os.Getenv("BENCH_PLOT_DIR"); d != "" {
		dir = d
	}
	if err := report.Write(dir, r); err != nil {
		t.Fatal(err)
	}
	reporttest.CheckPlots(t, dir, r.Plots, map[string]int{"issue-throughput.svg": 3, "issue-latency.svg": 4, "issue-peers.svg": 2,
		"ocsp-peers.svg": 3, "mixed.svg": 4, "crl-time.svg": 2, "crl-memory.svg": 2})
	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil || !strings.Contains(string(md), "![Issuance throughput vs concurrency](issue-throughput.svg)") ||
		!strings.Contains(string(md), "| issue | 50.0 |") {
		t.Errorf("summary.md: %v\n%s", err, md)
	}

	// Only the CRL: two plots, nothing else.
	dir2 := t.TempDir()
	r2 := &report.Results{CRL: r.CRL}
	if err := report.Write(dir2, r2); err != nil {
		t.Fatal(err)
	}
	reporttest.CheckPlots(t, dir2, r2.Plots, map[string]int{"crl-time.svg": 2, "crl-memory.svg": 2})
}
