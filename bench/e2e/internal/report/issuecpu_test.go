package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gostca/gostca/bench/e2e/internal/load"
)

// Each round's bare crypto is paired with the run of its own round; the
// ratios are of the medians, and a round without a measurement is left
// out.
func TestPipelineRatio(t *testing.T) {
	run := func(round int, tput, srv, cl float64) IssueRun {
		return IssueRun{Round: round, Stats: load.Stats{Throughput: tput}, CPU: load.CPUCost{ServerUS: srv, ClientUS: cl}}
	}
	r := &IssueResult{
		Runs: map[string][]IssueRun{
			"closed c=64": {run(1, 1000, 400, 40), run(2, 3000, 300, 30), run(3, 2000, 350, 50)},
			"closed c=1":  {run(1, 500, 1000, 100)},
		},
		Bare: []BareCrypto{
			{Round: 1, Run: "closed c=64", Certs: 100, Rate: 4000, CPUUS: 80},
			{Round: 2, Run: "closed c=64", Certs: 100, Rate: 6000, CPUUS: 60},
			{Round: 3, Run: "closed c=64", Error: "too few requests"},
		},
	}
	p := PipelineRatio(r)
	if p == nil {
		t.Fatal("no ratio")
	}
	// Rounds 1 and 2: pipeline median (1000+3000)/2, bare (4000+6000)/2,
	// CPU (440+330)/2 and (80+60)/2.
	if p.Pipeline != 2000 || p.Bare != 5000 || p.RateRatio != 0.4 || p.PipelineCPUUS != 385 || p.BareCPUUS != 70 {
		t.Errorf("got %+v", p)
	}
	if want := 70.0 / 385; p.CPURatio != want {
		t.Errorf("CPU ratio %v, want %v", p.CPURatio, want)
	}
	var b bytes.Buffer
	writeIssueCPU(&b, r, []string{"closed c=1", "closed c=64"})
	for _, want := range []string{"| ours closed c=1 | 1000 | 100 | 1100 |", "| ours closed c=64 | 350 | 40.0 | 390 |", "| 40 % |", "| 18 % |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
	if PipelineRatio(&IssueResult{Bare: []BareCrypto{{Error: "x"}}}) != nil {
		t.Error("a ratio without any measurement")
	}
}
