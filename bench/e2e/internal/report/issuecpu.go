package report

import (
	"bytes"
	"fmt"

	"github.com/gostca/gostca/bench/e2e/internal/load"
)

// writeIssueCPU writes the CPU time per certificate of each issuance run
// (server process and load generator) and issue 16's "HTTP pipeline vs
// its bare crypto": the run at the highest concurrency against the bare
// crypto measured right after it on the same requests, as a rate ratio
// (both wall-clock, same sitting) and as a CPU ratio (bare crypto CPU per
// certificate over the server's plus the generator's, which is what the
// rate ratio becomes on an otherwise idle machine where both are
// CPU-bound on the same cores).
func writeIssueCPU(b *bytes.Buffer, r *IssueResult, names []string) {
	var rows []string
	for _, n := range names {
		var srv, cl []float64
		for _, x := range r.Runs[n] {
			if x.CPU.ServerUS > 0 {
				srv = append(srv, x.CPU.ServerUS)
			}
			if x.CPU.ClientUS > 0 {
				cl = append(cl, x.CPU.ClientUS)
			}
		}
		if srv == nil && cl == nil {
			continue
		}
		rows = append(rows, fmt.Sprintf("| ours %s | %s | %s | %s |\n", n, f1(load.Median(srv)), f1(load.Median(cl)), f1(load.Median(srv)+load.Median(cl))))
	}
	if rows != nil {
		b.WriteString("\n| run | server CPU µs/cert | generator CPU µs/cert | both |\n|---|---|---|---|\n")
		for _, row := range rows {
			b.WriteString(row)
		}
	}
	p := PipelineRatio(r)
	if p == nil {
		for _, bc := range r.Bare {
			if bc.Error != "" {
				fmt.Fprintf(b, "\nBare crypto not measured: %s\n", bc.Error)
				break
			}
		}
		return
	}
	fmt.Fprintf(b, "\n| pipeline vs bare crypto | pipeline certs/s | bare crypto certs/s (2 cores) | rate ratio | pipeline CPU µs/cert (server + generator) | bare CPU µs/cert | CPU ratio |\n|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(b, "| ours %s | %s | %s | %s | %s | %s | %s |\n", p.Run, f1(p.Pipeline), f1(p.Bare), fpct(p.RateRatio), f1(p.PipelineCPUUS), f1(p.BareCPUUS), fpct(p.CPURatio))
}

// Pipeline is issue 16's "HTTP pipeline vs its bare crypto", medians over
// the rounds.
type Pipeline struct {
	Run                      string
	Pipeline, Bare           float64 // certs/s
	RateRatio                float64 // Pipeline / Bare
	PipelineCPUUS, BareCPUUS float64 // CPU per certificate
	CPURatio                 float64 // BareCPUUS / PipelineCPUUS
}

// PipelineRatio pairs each round's bare crypto with the issuance run it
// followed; nil when there is none.
func PipelineRatio(r *IssueResult) *Pipeline {
	var p Pipeline
	var pipe, bare, pcpu, bcpu []float64
	for _, bc := range r.Bare {
		if bc.Error != "" || bc.Certs == 0 {
			continue
		}
		for _, x := range r.Runs[bc.Run] {
			if x.Round != bc.Round {
				continue
			}
			p.Run = bc.Run
			pipe, bare = append(pipe, x.Stats.Throughput), append(bare, bc.Rate)
			bcpu = append(bcpu, bc.CPUUS)
			if x.CPU.ServerUS > 0 {
				pcpu = append(pcpu, x.CPU.ServerUS+x.CPU.ClientUS)
			}
		}
	}
	if pipe == nil {
		return nil
	}
	p.Pipeline, p.Bare = load.Median(pipe), load.Median(bare)
	p.RateRatio = load.Ratio(p.Pipeline, p.Bare)
	p.BareCPUUS = load.Median(bcpu)
	if pcpu != nil {
		p.PipelineCPUUS = load.Median(pcpu)
		p.CPURatio = load.Ratio(p.BareCPUUS, p.PipelineCPUUS)
	}
	return &p
}

// fpct is a ratio as a percentage ("–" for none).
func fpct(v float64) string {
	if v == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f %%", 100*v)
}
