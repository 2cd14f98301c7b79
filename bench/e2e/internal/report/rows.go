package report

import (
	"sort"

	"github.com/gostca/gostca/bench/e2e/internal/load"
)

// mixedRows is the summary of the mixed workload: per operation the
// medians alone and mixed and the ratio of mixed to alone p99.
type mixedRow struct {
	Op                       string
	Rate                     float64
	AloneTput, AloneP50      float64
	AloneP99, MixedTput      float64
	MixedP50, MixedP99       float64
	Interference             float64 // mixed p99 / alone p99
	AloneErrors, MixedErrors string
}

func mixedRows(m *MixedResult) []mixedRow {
	var rows []mixedRow
	ops := make([]string, 0, len(m.Rates))
	for op := range m.Rates {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return opIndex(ops[i]) < opIndex(ops[j]) })
	p50 := func(s load.Stats) float64 { return s.P50 }
	p99 := func(s load.Stats) float64 { return s.P99 }
	for _, op := range ops {
		a, x := m.Alone[op], m.Mixed[op]
		row := mixedRow{Op: op, Rate: m.Rates[op],
			AloneTput: statsMedian(a, tput), AloneP50: statsMedian(a, p50), AloneP99: statsMedian(a, p99),
			MixedTput: statsMedian(x, tput), MixedP50: statsMedian(x, p50), MixedP99: statsMedian(x, p99),
			AloneErrors: errSummary(a), MixedErrors: errSummary(x)}
		row.Interference = load.Ratio(row.MixedP99, row.AloneP99)
		rows = append(rows, row)
	}
	return rows
}

func opIndex(op string) int {
	for i, o := range MixOps {
		if o == op {
			return i
		}
	}
	return len(MixOps)
}

// backendRow is one backend at one concurrency, medians over rounds.
type backendRow struct {
	Backend, Run, Errors string
	Conc                 float64
	Tput, P50, P99       float64
	VsGOST               float64 // throughput / soft GOST's at the same run
}

func backendRows(k *KeyBackendResult) []backendRow {
	var out []backendRow
	for _, name := range KeyBackends {
		runs := k.Runs[name]
		var names []string
		for n := range runs {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool { return runOrder(names[i]) < runOrder(names[j]) })
		for _, n := range names {
			ss := runs[n]
			row := backendRow{Backend: name, Run: n, Conc: runOrder(n), Tput: statsMedian(ss, tput), Errors: errSummary(ss),
				P50: statsMedian(ss, func(s load.Stats) float64 { return s.P50 }), P99: statsMedian(ss, func(s load.Stats) float64 { return s.P99 })}
			row.VsGOST = load.Ratio(row.Tput, statsMedian(k.Runs[BackendSoftGOST][n], tput))
			out = append(out, row)
		}
	}
	return out
}

// registerStepRow is one step's median latencies over rounds.
type registerStepRow struct {
	Name     string
	P50, P99 float64
}

// registerStepRows lists the steps in flow order with their medians.
func registerStepRows(r *RegisterResult) []registerStepRow {
	var out []registerStepRow
	for _, name := range RegisterSteps {
		var ss []load.Stats
		for _, run := range r.Runs {
			ss = append(ss, run.Steps[name])
		}
		out = append(out, registerStepRow{name, statsMedian(ss, func(s load.Stats) float64 { return s.P50 }), statsMedian(ss, func(s load.Stats) float64 { return s.P99 })})
	}
	return out
}
