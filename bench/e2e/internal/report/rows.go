package report

import (
	"sort"

	"github.com/gostca/gostca/bench/e2e/internal/load"
)

// MixedRows is the summary of the mixed workload: per operation the
// medians alone and mixed and the ratio of mixed to alone p99.
type MixedRow struct {
	Op                       string
	Rate                     float64
	AloneTput, AloneP50      float64
	AloneP99, MixedTput      float64
	MixedP50, MixedP99       float64
	Interference             float64 // mixed p99 / alone p99
	AloneErrors, MixedErrors string
}

func MixedRows(m *MixedResult) []MixedRow {
	var rows []MixedRow
	ops := make([]string, 0, len(m.Rates))
	for op := range m.Rates {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return opIndex(ops[i]) < opIndex(ops[j]) })
	p50 := func(s load.Stats) float64 { return s.P50 }
	p99 := func(s load.Stats) float64 { return s.P99 }
	for _, op := range ops {
		a, x := m.Alone[op], m.Mixed[op]
		row := MixedRow{Op: op, Rate: m.Rates[op],
			AloneTput: StatsMedian(a, Throughput), AloneP50: StatsMedian(a, p50), AloneP99: StatsMedian(a, p99),
			MixedTput: StatsMedian(x, Throughput), MixedP50: StatsMedian(x, p50), MixedP99: StatsMedian(x, p99),
			AloneErrors: ErrSummary(a), MixedErrors: ErrSummary(x)}
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

// BackendRow is one backend at one concurrency, medians over rounds.
type BackendRow struct {
	Backend, Run, Errors string
	Conc                 float64
	Tput, P50, P99       float64
	VsGOST               float64 // throughput / soft GOST's at the same run
}

func BackendRows(k *KeyBackendResult) []BackendRow {
	var out []BackendRow
	for _, name := range KeyBackends {
		runs := k.Runs[name]
		var names []string
		for n := range runs {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool { return RunOrder(names[i]) < RunOrder(names[j]) })
		for _, n := range names {
			ss := runs[n]
			row := BackendRow{Backend: name, Run: n, Conc: RunOrder(n), Tput: StatsMedian(ss, Throughput), Errors: ErrSummary(ss),
				P50: StatsMedian(ss, func(s load.Stats) float64 { return s.P50 }), P99: StatsMedian(ss, func(s load.Stats) float64 { return s.P99 })}
			row.VsGOST = load.Ratio(row.Tput, StatsMedian(k.Runs[BackendSoftGOST][n], Throughput))
			out = append(out, row)
		}
	}
	return out
}

// RegisterStepRow is one step's median latencies over rounds.
type RegisterStepRow struct {
	Name     string
	P50, P99 float64
}

// RegisterStepRows lists the steps in flow order with their medians.
func RegisterStepRows(r *RegisterResult) []RegisterStepRow {
	var out []RegisterStepRow
	for _, name := range RegisterSteps {
		var ss []load.Stats
		for _, run := range r.Runs {
			ss = append(ss, run.Steps[name])
		}
		out = append(out, RegisterStepRow{name, StatsMedian(ss, func(s load.Stats) float64 { return s.P50 }), StatsMedian(ss, func(s load.Stats) float64 { return s.P99 })})
	}
	return out
}
