package report

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// The plots are drawn with gonum.org/v1/plot from results.json's figures
// (medians over rounds, as in summary.md) and saved as SVG next to it.
// Each records its file, title and series so that the test (and a
// reader of results.json) can check what was drawn.

// PlotInfo describes one written plot.
type PlotInfo struct {
	File   string   `json:"file"`
	Title  string   `json:"title"`
	Series []string `json:"series"`
}

// chart is a plot about to be saved and the names of its series.
type chart struct {
	file   string
	p      *plot.Plot
	series []string
}

// writePlots draws every plot the results have data for into dir.
func writePlots(dir string, r *Results) ([]PlotInfo, error) {
	var charts []chart
	add := func(c *chart, err error) error {
		if err != nil {
			return err
		}
		if c != nil {
			charts = append(charts, *c)
		}
		return nil
	}
	for _, f := range []func(*Results) (*chart, error){
		plotThroughput, plotLatency, plotIssuePeers, plotOCSPPeers, plotMixed, plotCRLTime, plotCRLMemory, plotRegister, plotKeyBackends,
	} {
		if err := add(f(r)); err != nil {
			return nil, err
		}
	}
	var out []PlotInfo
	for _, c := range charts {
		headroom(c.p, len(c.series))
		if err := c.p.Save(16*vg.Centimeter, 10*vg.Centimeter, filepath.Join(dir, c.file)); err != nil {
			return out, fmt.Errorf("plot %s: %w", c.file, err)
		}
		out = append(out, PlotInfo{File: c.file, Title: c.p.Title.Text, Series: c.series})
	}
	return out, nil
}

// headroom raises the y axis so the legend (top right) sits above the
// data, one line per series; a linear axis starts at 0.
func headroom(p *plot.Plot, series int) {
	if _, isLog := p.Y.Scale.(plot.LogScale); isLog {
		p.Y.Max *= math.Pow(10, 0.25*float64(series+1))
		return
	}
	p.Y.Min = 0
	p.Y.Max *= 1 + 0.09*float64(series+1)
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p
}

// lines adds named XY series (name, XYs, name, XYs, …) with points.
func lines(p *plot.Plot, named ...any) error {
	return plotutil.AddLinePoints(p, named...)
}

// issueRuns are ours' issuance runs of a kind ("closed" or "open"), by
// their x (concurrency or offered rate), sorted.
func issueRuns(r *Results, kind string) (xs []float64, runs [][]load.Stats) {
	if r.Issue == nil {
		return nil, nil
	}
	names := make([]string, 0)
	for n := range r.Issue.Runs {
		if strings.HasPrefix(n, kind+" ") {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool { return runOrder(names[i]) < runOrder(names[j]) })
	for _, n := range names {
		var ss []load.Stats
		for _, x := range r.Issue.Runs[n] {
			ss = append(ss, x.Stats)
		}
		x := runOrder(n)
		if kind == "open" {
			x -= 1e9
		}
		xs = append(xs, x)
		runs = append(runs, ss)
	}
	return xs, runs
}

// plotThroughput: certificates/s against closed-loop concurrency, ours
// and the openssl ca peers at their process counts (one -infiles process
// at 1, the parallel processes at their count; process per request at 1).
func plotThroughput(r *Results) (*chart, error) {
	xs, runs := issueRuns(r, "closed")
	if len(xs) == 0 {
		return nil, nil
	}
	p := newPlot("Issuance throughput vs concurrency", "concurrent clients (peer: processes)", "certificates/s")
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	ours := make(plotter.XYs, len(xs))
	for i := range xs {
		ours[i] = plotter.XY{X: xs[i], Y: statsMedian(runs[i], tput)}
	}
	named := []any{"gostca over HTTP (closed loop)", ours}
	series := []string{"gostca over HTTP (closed loop)"}
	var infiles plotter.XYs
	for _, m := range peerIssueModes(r.Issue.Peer) {
		ss := r.Issue.Peer[m]
		switch {
		case m == "-infiles":
			infiles = append(infiles, plotter.XY{X: 1, Y: statsMedian(ss, tput)})
		case strings.Contains(m, "processes"):
			infiles = append(infiles, plotter.XY{X: float64(max(1, ss[0].Concurrency)), Y: statsMedian(ss, tput)})
		}
	}
	if len(infiles) > 0 {
		sort.Slice(infiles, func(i, j int) bool { return infiles[i].X < infiles[j].X })
		named = append(named, "openssl ca -infiles (processes)", infiles)
		series = append(series, "openssl ca -infiles (processes)")
	}
	if ss := r.Issue.Peer["process per request"]; len(ss) > 0 {
		named = append(named, "openssl ca, process per request", plotter.XYs{{X: 1, Y: statsMedian(ss, tput)}})
		series = append(series, "openssl ca, process per request")
	}
	if err := lines(p, named...); err != nil {
		return nil, err
	}
	return &chart{file: "issue-throughput.svg", p: p, series: series}, nil
}

// plotLatency: the open loop's latency percentiles against the offered
// rate, with the achieved rate on the same x for reading the knee.
func plotLatency(r *Results) (*chart, error) {
	xs, runs := issueRuns(r, "open")
	if len(xs) == 0 {
		return nil, nil
	}
	p := newPlot("Issuance latency vs offered rate (open loop)", "offered certificates/s", "latency, ms (log)")
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	pcts := []struct {
		name string
		f    func(load.Stats) float64
	}{{"p50", func(s load.Stats) float64 { return s.P50 }}, {"p90", func(s load.Stats) float64 { return s.P90 }},
		{"p99", func(s load.Stats) float64 { return s.P99 }}, {"p99.9", func(s load.Stats) float64 { return s.P999 }}}
	var named []any
	var series []string
	for _, q := range pcts {
		pts := make(plotter.XYs, 0, len(xs))
		for i := range xs {
			if v := statsMedian(runs[i], q.f); v > 0 { // a log axis has no 0
				pts = append(pts, plotter.XY{X: xs[i], Y: v})
			}
		}
		if len(pts) > 0 {
			named = append(named, q.name, pts)
			series = append(series, q.name)
		}
	}
	if len(series) == 0 {
		return nil, nil
	}
	if err := lines(p, named...); err != nil {
		return nil, err
	}
	return &chart{file: "issue-latency.svg", p: p, series: series}, nil
}

// bars draws grouped bars: one group per category, one bar per series.
func bars(p *plot.Plot, categories []string, series []string, values [][]float64) error {
	w := vg.Points(float64(48) / float64(max(1, len(series))))
	for i, name := range series {
		b, err := plotter.NewBarChart(plotter.Values(values[i]), w)
		if err != nil {
			return err
		}
		b.Color = plotutil.Color(i)
		b.LineStyle.Width = 0
		b.Offset = w * vg.Length(float64(i)-float64(len(series)-1)/2)
		p.Add(b)
		p.Legend.Add(name, b)
	}
	p.NominalX(categories...)
	return nil
}

// plotIssuePeers: ours and the openssl ca peers side by side for each
// comparison of summary.md (same CSRs).
func plotIssuePeers(r *Results) (*chart, error) {
	if r.Issue == nil || len(r.Issue.Peer) == 0 {
		return nil, nil
	}
	var cats []string
	vals := [][]float64{nil, nil}
	for _, c := range issueComparisons(r) {
		cats = append(cats, c.label)
		vals[0] = append(vals[0], c.ours)
		vals[1] = append(vals[1], c.peer)
	}
	p := newPlot("Issuance: gostca vs openssl ca (same CSRs)", "", "certificates/s")
	series := []string{"gostca", "openssl ca"}
	if err := bars(p, cats, series, vals); err != nil {
		return nil, err
	}
	return &chart{file: "issue-peers.svg", p: p, series: series}, nil
}

// plotOCSPPeers: requests/s of ours and each openssl ocsp responder, by
// request mode.
func plotOCSPPeers(r *Results) (*chart, error) {
	if r.OCSP == nil || len(r.OCSP.Runs) == 0 {
		return nil, nil
	}
	series := []string{"gostca"}
	var peers []string
	for name := range r.OCSP.Peer {
		peers = append(peers, name)
	}
	sort.Strings(peers)
	series = append(series, peers...)
	vals := make([][]float64, len(series))
	var cats []string
	for _, m := range OCSPModes {
		cats = append(cats, m)
		vals[0] = append(vals[0], statsMedian(r.OCSP.Runs[m], tput))
		for i, pn := range peers {
			vals[i+1] = append(vals[i+1], statsMedian(r.OCSP.Peer[pn][m], tput))
		}
	}
	p := newPlot("OCSP: gostca vs openssl ocsp", "request mode", "responses/s")
	if err := bars(p, cats, series, vals); err != nil {
		return nil, err
	}
	return &chart{file: "ocsp-peers.svg", p: p, series: series}, nil
}

// plotMixed: each operation's p99 alone and in the mix.
func plotMixed(r *Results) (*chart, error) {
	if r.Mixed == nil {
		return nil, nil
	}
	rows := mixedRows(r.Mixed)
	if len(rows) == 0 {
		return nil, nil
	}
	var cats []string
	vals := [][]float64{nil, nil, nil, nil}
	for _, x := range rows {
		cats = append(cats, fmt.Sprintf("%s %g/s", x.Op, x.Rate))
		vals[0] = append(vals[0], x.AloneP50)
		vals[1] = append(vals[1], x.MixedP50)
		vals[2] = append(vals[2], x.AloneP99)
		vals[3] = append(vals[3], x.MixedP99)
	}
	p := newPlot("Mixed workload: latency alone vs together", "operation at its offered rate", "latency, ms")
	series := []string{"p50 alone", "p50 mixed", "p99 alone", "p99 mixed"}
	if err := bars(p, cats, series, vals); err != nil {
		return nil, err
	}
	return &chart{file: "mixed.svg", p: p, series: series}, nil
}

// crlSeries returns K and, per step, ours' and the peer's value.
func crlSeries(r *Results, ours func(CRLSize) float64, peer func(CRLSize) float64) (o, q plotter.XYs) {
	for _, s := range r.CRL {
		if v := ours(s); v > 0 {
			o = append(o, plotter.XY{X: float64(s.K), Y: v})
		}
		if v := peer(s); v > 0 {
			q = append(q, plotter.XY{X: float64(s.K), Y: v})
		}
	}
	return o, q
}

func logLog(p *plot.Plot) {
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
}

// plotCRLTime: time to a fresh CRL against K, ours through the server and
// openssl ca -gencrl.
func plotCRLTime(r *Results) (*chart, error) {
	if len(r.CRL) == 0 {
		return nil, nil
	}
	o, q := crlSeries(r, func(s CRLSize) float64 {
		var xs []float64
		for _, x := range s.Runs {
			xs = append(xs, x.TotalMs)
		}
		return load.Median(xs)
	}, func(s CRLSize) float64 {
		var xs []float64
		for _, x := range s.Peer {
			xs = append(xs, x.Ms)
		}
		return load.Median(xs)
	})
	return crlChart("crl-time.svg", "CRL build + fetch time vs revoked entries", "ms (log)", o, q)
}

// plotCRLMemory: peak resident memory against K: the server's VmHWM and
// openssl ca -gencrl's sampled VmHWM (internal/peers/peakrss.go).
func plotCRLMemory(r *Results) (*chart, error) {
	if len(r.CRL) == 0 {
		return nil, nil
	}
	o, q := crlSeries(r, func(s CRLSize) float64 { return float64(s.PeakRSSKB) / 1024 }, func(s CRLSize) float64 {
		var xs []float64
		for _, x := range s.Peer {
			xs = append(xs, float64(x.PeakRSSKB))
		}
		return load.Median(xs) / 1024
	})
	return crlChart("crl-memory.svg", "Peak memory vs revoked entries", "peak RSS, MiB (log)", o, q)
}

func crlChart(file, title, y string, o, q plotter.XYs) (*chart, error) {
	if len(o) == 0 && len(q) == 0 {
		return nil, nil
	}
	p := newPlot(title, "revoked entries K (log)", y)
	logLog(p)
	var named []any
	var series []string
	if len(o) > 0 {
		named, series = append(named, "gostca (server)", o), append(series, "gostca (server)")
	}
	if len(q) > 0 {
		named, series = append(named, "openssl ca -gencrl", q), append(series, "openssl ca -gencrl")
	}
	if err := lines(p, named...); err != nil {
		return nil, err
	}
	return &chart{file: file, p: p, series: series}, nil
}

// plotRegister: p50 and p99 of each registration step, in flow order.
func plotRegister(r *Results) (*chart, error) {
	if r.Register == nil || len(r.Register.Runs) == 0 {
		return nil, nil
	}
	var cats []string
	vals := [][]float64{nil, nil}
	for _, st := range registerStepRows(r.Register) {
		cats = append(cats, st.Name)
		vals[0] = append(vals[0], st.P50)
		vals[1] = append(vals[1], st.P99)
	}
	p := newPlot("Registration flow: latency per step", "step", "latency, ms")
	series := []string{"p50", "p99"}
	if err := bars(p, cats, series, vals); err != nil {
		return nil, err
	}
	return &chart{file: "register-steps.svg", p: p, series: series}, nil
}

// plotKeyBackends: certificates/s against concurrency, one line per key
// backend.
func plotKeyBackends(r *Results) (*chart, error) {
	if r.KeyBackends == nil {
		return nil, nil
	}
	by := map[string]plotter.XYs{}
	for _, row := range backendRows(r.KeyBackends) {
		by[row.Backend] = append(by[row.Backend], plotter.XY{X: row.Conc, Y: row.Tput})
	}
	var named []any
	var series []string
	for _, name := range KeyBackends {
		if len(by[name]) > 0 {
			named, series = append(named, name, by[name]), append(series, name)
		}
	}
	if len(series) == 0 {
		return nil, nil
	}
	p := newPlot("Issuance by key backend (tls-client)", "concurrent clients", "certificates/s")
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	if err := lines(p, named...); err != nil {
		return nil, err
	}
	return &chart{file: "key-backends.svg", p: p, series: series}, nil
}
